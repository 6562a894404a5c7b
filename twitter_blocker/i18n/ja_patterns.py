# ruff: noqa: E501  (catalog text: one message per line reads better than split CJK strings)
"""日本語カタログ（組み立てられた行）: 英語のテンプレート -> 日本語のテンプレート。

ops や engine が f-string で組み立てて表示する行を、表示する時点で訳すための表
（``i18n.tr``）。``{name}`` は英語の行から取り出した値で、日本語側にそのまま埋め込む。
取り出した値もさらに ``tr`` で訳す（``"blocked 3, suspended 1"`` の各項目など）。名前が
``_`` で始まる値（パス、ステータス値、コマンド）は訳さずそのまま使う。

固定部分（``{...}`` 以外）の長いものから順に試し、最初に行全体が一致したものを使う。
したがって ``"{a}: {b}"`` のような構造だけの汎用パターンは最後に試される。
"""

from __future__ import annotations

from .ja_diagnose import DIAGNOSE, LABELS

_REPORT: dict[str, str] = {
    # 実行の結果（cli/report.py）と進捗（cli/progress.py）
    "{title}: {summary}; API calls {calls}": "{title}: {summary}、API 呼び出し {calls} 回",
    "run": "実行結果",
    "dry run (nothing blocked)": "ドライラン（ブロックなし）",
    "nothing to do": "処理対象なし",
    "no target decided": "判定できた対象なし",
    "blocked {b} (+{a} already)": "ブロック {b}（ほかにブロック済み {a}）",
    "blocked {n}": "ブロック {n}",
    "already blocked {n}": "ブロック済み {n}",
    "skipped following {n}": "スキップ（フォロー中） {n}",
    "skipped follower {n}": "スキップ（フォロワー） {n}",
    "skipped self {n}": "スキップ（自分自身） {n}",
    "skipped allowlisted {n}": "スキップ（許可リスト） {n}",
    "suspended {n}": "凍結 {n}",
    "not found {n}": "存在しない {n}",
    "deactivated {n}": "退会済み {n}",
    "failed {n}": "失敗 {n}",
    "skipped {n}": "スキップ {n}",
    "pending {n}": "未処理 {n}",
    "temporary failures (retried with backoff) {n}": "一時的な失敗（間隔を空けて再試行） {n}",
    "a real run would block {n} accounts; see dry_run_report.json": (
        "本番の実行なら {n} 件をブロックします。詳細は dry_run_report.json を参照してください"
    ),
    "stopped: {message}": "停止: {message}",
    "X stopped the account after {n} blocks; consider --max-blocks-per-hour {cap} "
    "(80% of that) once it is unlocked": (
        "{n} 件ブロックした時点で X がアカウントを止めました。解除後は --max-blocks-per-hour {cap}"
        "（その 80%）を検討してください"
    ),
    "run the same command again to resume where it stopped": (
        "同じコマンドをもう一度実行すると、止まったところから再開します"
    ),
    "stopping after the current request (press Ctrl-C again to stop now)": (
        "現在のリクエストが終わりしだい停止します（今すぐ止めるにはもう一度 Ctrl-C）"
    ),
    "[main] {rest}": "[本処理] {rest}",
    "[retry] {rest}": "[再試行] {rest}",
    "[dry_run] {rest}": "[ドライラン] {rest}",
    "main": "本処理",
    "retry": "再試行",
    "dry_run": "ドライラン",
    "{counts}  skipped {s}  failed {f}": "{counts}  スキップ {s}  失敗 {f}",
    "ETA --": "残り時間 --",
    "ETA {t}": "残り {t}",
    "waiting {s}s: {reason}": "{s} 秒待機中: {reason}",
    "warning: {text}": "警告: {text}",
    "error: {text}": "エラー: {text}",
    "{_target}: failed_temporary": "{_target}: 一時的な失敗",
    "unexpected {_kind}: {detail} (details in twitter_blocker.log; rerun with --debug for a "
    "traceback)": (
        "想定外のエラー {_kind}: {detail}（詳細は twitter_blocker.log。トレースバックを見るには "
        "--debug を付けて再実行）"
    ),
    "interrupted": "中断されました",
    # エラー行（cli/run.py）
    "{message} (see '{_command} --help')": "{message}（'{_command} --help' を参照）",
    # 統計（cli/stats.py）
    "[bold]Targets[/bold]: {total}   done: {done}   pending: {pending}   "
    "permanent failures: {perm}": (
        "[bold]対象[/bold]: {total}   完了: {done}   未処理: {pending}   恒久的な失敗: {perm}"
    ),
    "By status": "ステータス別",
    "By user status": "アカウント状態別",
    "By reason": "理由別",
    "value": "値",
    "count": "件数",
    "Recent errors": "最近のエラー",
    "http": "HTTP",
    "code": "コード",
    "message": "メッセージ",
    "rows": "行数",
    "last (local time)": "最終（ローカル時刻）",
    "Rate limits (last seen)": "レート制限（最後に確認した値）",
    "operation": "操作",
    "remaining/limit": "残り/上限",
    "resets (local time)": "リセット（ローカル時刻）",
    "already reset": "リセット済み",
    "Retry candidates: {a} (due now: {b}); attempts exhausted: {c}; block sent, unconfirmed: {d}": (
        "再試行候補: {a}（今すぐ再試行: {b}）、試行回数の上限到達: {c}、ブロック送信済み・未確認: {d}"
    ),
    "Last run #{id}: dry run (nothing blocked), {_state}, started {s}, ended {e}, exit {x}, "
    "reason {_r}; would block {b}, skipped {sk}, failed {f}, API calls {c}": (
        "前回の実行 #{id}: ドライラン（ブロックなし）、{_state}、開始 {s}、終了 {e}、"
        "終了コード {x}、理由 {_r}。ブロック予定 {b}、スキップ {sk}、失敗 {f}、API 呼び出し {c} 回"
    ),
    "Last run #{id}: {_state}, started {s}, ended {e}, exit {x}, reason {_r}; "
    "blocked {b}, skipped {sk}, failed {f}, API calls {c}": (
        "前回の実行 #{id}: {_state}、開始 {s}、終了 {e}、終了コード {x}、理由 {_r}。"
        "ブロック {b}、スキップ {sk}、失敗 {f}、API 呼び出し {c} 回"
    ),
    "no database at {_path} yet: nothing has run here": (
        "{_path} にデータベースはまだありません。ここではまだ何も実行していません"
    ),
    "reset the attempt counts of {n} targets; all stay in the retry queue": (
        "対象 {n} 件の試行回数をリセットしました。すべて再試行キューに残っています"
    ),
    # デモ（cli/demo.py）
    "[bold]X emulator[/bold] at {_url} (window {w} s, X's limits: 187 blocks and 50 "
    "UsersByScreenNames calls per window{faults})": (
        "[bold]X エミュレーター[/bold] {_url}（枠 {w} 秒、X と同じ上限: 枠ごとにブロック 187 回、"
        "UsersByScreenNames 50 回{faults}）"
    ),
    "; 3% of answers 503, 1% dropped connections": "、応答の 3% が 503、1% が接続断",
    "workspace {_dir}: cookies.json, users.json ({n} targets), truth.json": (
        "作業ディレクトリ {_dir}: cookies.json、users.json（対象 {n} 件）、truth.json"
    ),
    "running: {_command}": "実行: {_command}",
    "finished in {s} s; database checked against truth for {n} targets": (
        "{s} 秒で完了。対象 {n} 件についてデータベースを正解と照合しました"
    ),
    "[bold green]blocked set matches expected[/bold green]": (
        "[bold green]ブロックした集合は期待どおりです[/bold green]"
    ),
    "[red]{line}[/red]": "[red]{line}[/red]",
    "blocked set differs: {a} unexpected, {b} missing": (
        "ブロックした集合が違います: 想定外 {a} 件、不足 {b} 件"
    ),
    "{n} targets received more than one block call": "対象 {n} 件にブロック呼び出しが 2 回以上ありました",
}

_OPS: dict[str, str] = {
    # health（cli/ops_health.py）
    "health: ok": "ヘルス: 正常",
    "health: warning": "ヘルス: 警告",
    "health: critical": "ヘルス: 危険",
    "emergency backup taken: {_path}": "緊急バックアップを取りました: {_path}",
    "emergency backup FAILED: {detail}": "緊急バックアップ失敗: {detail}",
    # auth check / ratelimit（cli/ops_auth.py）
    "cookie file: {_path}": "Cookie ファイル: {_path}",
    "auth_token: present": "auth_token: あり",
    "auth_token: MISSING": "auth_token: なし",
    "ct0:        present": "ct0:        あり",
    "ct0:        MISSING": "ct0:        なし",
    "account id (twid): unknown (no twid cookie)": "アカウント ID (twid): 不明（twid Cookie なし）",
    "account id (twid): {_id}": "アカウント ID (twid): {_id}",
    "logged in as @{_handle} ({_id})": "@{_handle}（{_id}）としてログイン中",
    "{_name}…({n} chars)": "{_name}…（{n} 文字）",
    "{_op} limit {l}  remaining {r}  reset {reset}  SPENT": (
        "{_op} 上限 {l}  残り {r}  リセット {reset}  使い切り"
    ),
    "{_op} limit {l}  remaining {r}  reset {reset}": "{_op} 上限 {l}  残り {r}  リセット {reset}",
    "{_utc} ({_local} local, in {s}s)": "{_utc}（ローカル {_local}、あと {s} 秒）",
    "unknown": "不明",
    "last 429: {_op} at {at} (HTTP {h}, code {c}); window resets {reset}": (
        "最後の 429: {_op}（{at}、HTTP {h}、コード {c}）。枠のリセット: {reset}"
    ),
    # stop / recover（cli/ops_process.py）
    "system state after:": "停止後のシステム状態:",
    "disk {d}% used, memory {m}% used": "ディスク使用率 {d}%、メモリ使用率 {m}%",
    "| {_line}": "| {_line}",
    # incident（cli/ops_incident.py）
    "{_id} (level {n})": "{_id}（レベル {n}）",
    # インシデント報告の診断要約（ops/incident.py）
    "{_path}: {n} bytes, mode {mode}": "{_path}: {n} バイト、モード {mode}",
    "{_path}: {n} bytes": "{_path}: {n} バイト",
    "{_path}: none yet": "{_path}: まだなし",
    "{_path}: missing": "{_path}: なし",
    "{p}% used": "使用率 {p}%",
    "ok; rows: {counts}": "正常。行数: {counts}",
    "{detail}; rows: {counts}": "{detail}。行数: {counts}",
    "none": "なし",
    "no run active": "実行中の処理なし",
    "pid {pid} since {s}": "pid {pid}（{s} から）",
    "{_op}: {r}/{l} reset {reset} UTC (fresh)": "{_op}: {r}/{l} リセット {reset} UTC（未使用）",
    "{_op}: {r}/{l} reset {reset} UTC": "{_op}: {r}/{l} リセット {reset} UTC",
    "{a} targets with failed calls": "呼び出しに失敗した対象 {a} 件",
}

_MORE: dict[str, str] = {
    # backup / restore（cli/ops_backup.py）
    "{_name} {size} bytes  {_method}  integrity {_result}": "{_name} {size} バイト  {_method}  整合性 {_result}",
    "{_name} {size} bytes  {_method}": "{_name} {size} バイト  {_method}",
    "({role}: no file, skipped)": "（{role}: ファイルなし、スキップ）",
    "db": "データベース",
    "users": "対象リスト",
    "latest: {_path} ({how})": "latest: {_path}（{how}）",
    "warning: {text}": "警告: {text}",
    "restored {role} -> {_path}  (previous kept as {_kept})": "{role} を復元 -> {_path}（以前のファイルは {_kept} として保存）",
    "restored {role} -> {_path}": "{role} を復元 -> {_path}",
    "integrity of the restored database: {_result}": "復元したデータベースの整合性: {_result}",
    # db check / db recover / integrity（cli/ops_db.py）
    "{_path}: missing": "{_path}: ありません",
    "{_stage} FAILED": "{_stage} 失敗",
    "salvaged with the page reader into {_path}": "ページ単位の読み取りで {_path} に救出しました",
    "salvaged with the {_method} into {_path}": "{_method} で {_path} に救出しました",
    "pages: {n} in the file, {u} unreadable, {r} rows on pages of no known table": (
        "ページ: ファイル内 {n}、読めないもの {u}、どのテーブルにも属さないページの行 {r}"
    ),
    "pages: {n} in the file, {u} unreadable": "ページ: ファイル内 {n}、読めないもの {u}",
    "{_table} {n} rows  ({lost})": "{_table} {n} 行（{lost}）",
    "{_table} {n} rows": "{_table} {n} 行",
    "{n} of its pages unreadable": "ページ {n} 個が読めない",
    "{n} unreadable rows skipped": "読めない行 {n} 件をスキップ",
    "{n} older copies left out": "古い版 {n} 件を除外",
    "{n} rows dropped whose parent row was lost": "親の行を失った {n} 行を除外しました",
    "{n} lookup keys rebuilt from the salvaged rows": "救出した行から検索キー {n} 件を作り直しました",
    "check of the recovered copy: {_result}": "救出したコピーの確認: {_result}",
    "note: {text}": "注記: {text}",
    "database: {_path} ({_result})": "データベース: {_path}（{_result}）",
    "duplicates: {n} groups": "重複: {n} 組",
    "{_name} missing  {_path}": "{_name} なし  {_path}",
    "INCONSISTENT: {problem}": "不整合: {problem}",
    # cleanup（cli/ops_db.py）
    "files over 100 MB under {_dir}:": "{_dir} 以下の 100 MB を超えるファイル:",
    "none": "なし",
    "would compress: {_path} {size}  ({detail})": "gzip 圧縮（予定）: {_path} {size}（{detail}）",
    "would compress: {_path} {size}": "gzip 圧縮（予定）: {_path} {size}",
    "compress: {_path} {size}  ({detail})": "gzip 圧縮: {_path} {size}（{detail}）",
    "compress: {_path} {size}": "gzip 圧縮: {_path} {size}",
    "would delete log: {_path} {size}  ({detail})": "ログを削除（予定）: {_path} {size}（{detail}）",
    "would delete log: {_path} {size}": "ログを削除（予定）: {_path} {size}",
    "delete log: {_path} {size}  ({detail})": "ログを削除: {_path} {size}（{detail}）",
    "delete log: {_path} {size}": "ログを削除: {_path} {size}",
    "would delete old cache: {_path} {size}  ({detail})": "古い JSON キャッシュを削除（予定）: {_path} {size}（{detail}）",
    "would delete old cache: {_path} {size}": "古い JSON キャッシュを削除（予定）: {_path} {size}",
    "delete old cache: {_path} {size}  ({detail})": "古い JSON キャッシュを削除: {_path} {size}（{detail}）",
    "delete old cache: {_path} {size}": "古い JSON キャッシュを削除: {_path} {size}",
    "would vacuum cache: {_path} {size}  ({detail})": "キャッシュを圧縮（予定）: {_path} {size}（{detail}）",
    "would vacuum cache: {_path} {size}": "キャッシュを圧縮（予定）: {_path} {size}",
    "vacuum cache: {_path} {size}  ({detail})": "キャッシュを圧縮: {_path} {size}（{detail}）",
    "vacuum cache: {_path} {size}": "キャッシュを圧縮: {_path} {size}",
    "skipped {why}": "スキップ: {why}",
    "data directory: {a} ({note})": "データディレクトリ: {a}（{note}）",
    "data directory: {a} -> {b}": "データディレクトリ: {a} -> {b}",
    # recover（ops/recover.py）
    "nothing left to process": "処理の残りなし",
    "{n} targets looked up and decided (dry run), {c} API calls, no new failures": (
        "対象 {n} 件を調べて判定（ドライラン）、API 呼び出し {c} 回、新しい失敗なし"
    ),
    "{n} targets decided, {c} API calls, no new failures": (
        "対象 {n} 件を判定、API 呼び出し {c} 回、新しい失敗なし"
    ),
    "every phase passed": "全フェーズ成功",
    "did not finish within {s}s": "{s} 秒以内に終わりませんでした",
    "the run exited with {code}": "実行が終了コード {code} で終わりました",
    "the run wrote no process_log row": "実行が process_log の行を書きませんでした",
    "the run's process_log row says {_status}": "実行の process_log の行が {_status} です",
    "no progress: no call made, no target decided": "進捗なし: 呼び出しも判定もありません",
    "blocked {n} targets": "対象 {n} 件をブロック",
    "phase {n} ({label}) failed: {reason}": "フェーズ {n}（{label}）失敗: {reason}",
    "minimal test (フェーズ1: 最小限テスト)": "フェーズ1: 最小限テスト",
    "small batch (フェーズ2: 少量データテスト)": "フェーズ2: 少量データテスト",
    # schedule（ops/schedule.py）
    "# twitter-blocker: hourly backup, health check every 15 minutes (crontab -e)": (
        "# twitter-blocker: 1 時間ごとのバックアップ、15 分ごとのヘルスチェック（crontab -e）"
    ),
    # endpoints（cli/endpoints.py）
    "{_head} flags  {source}; last call {last}": "{_head} 個のフラグ  {source}。最後の呼び出し: {last}",
    "pinned": "組み込み",
    "discovered {at} from {_build}": "{at} に {_build} から取得",
    "worked at {at}": "{at} に成功",
    "never called": "未使用",
    "failed at {at}": "{at} に失敗",
    # --test-user（cli/inspect.py）
    "target:        {_x}": "対象:           {_x}",
    "status:        {_x}": "状態:           {_x}",
    "user:          {_x}": "ユーザー:       {_x}",
    "protected:     {yn}": "非公開:         {yn}",
    "you follow:    {yn}": "フォロー中:     {yn}",
    "follows you:   {yn}": "フォロワー:     {yn}",
    "blocking:      {yn}": "ブロック中:     {yn}",
    "in database:   {_x}": "データベース:   {_x}",
    "a run would:   {_x}": "実行した場合:   {_x}",
    "yes": "はい",
    "no": "いいえ",
    # 入力の誤りの詳細（inputs/、msg() の detail / reason / why として渡されるもの）
    "empty handle": "ハンドルが空です",
    "a handle has at most {m} characters, this one {n}": "ハンドルは最大 {m} 文字ですが、これは {n} 文字です",
    "a handle has only letters, digits and _, not {_c}": "ハンドルに使えるのは英字・数字・_ だけです（{_c} は使えません）",
    "a user id has only digits": "ユーザー ID は数字だけです",
    "is not an object": "がオブジェクトではありません",
    "has no string 'name'": "に文字列の 'name' がありません",
    "has a non-string 'domain'": "の 'domain' が文字列ではありません",
    "has an empty name": "の name が空です",
    "the JSON is neither an array nor an object": "JSON が配列でもオブジェクトでもありません",
    "{n} bytes is too large for a cookie file": "{n} バイトは Cookie ファイルとして大きすぎます",
    "{_what}: would wait {s} s": "{_what}: {s} 秒待つ必要があります",
    "unknown language {_v}": "不明な言語 {_v}",
    "use ja or en": "ja か en を指定してください",
    "cannot read {_v}": "{_v} を読めません",
    "use 90m, 2h, 1d or an ISO UTC time": "90m、2h、1d または ISO 形式の UTC 時刻を指定してください",
    "already exists; this command never overwrites a report": "既にあります。このコマンドは報告を上書きしません",
    "move it aside first if you want it written again": "書き直すなら先に退避してください",
    "the report has no twitter-blocker metadata line": "報告に twitter-blocker のメタデータ行がありません",
    "the report's metadata line is not an object": "報告のメタデータ行がオブジェクトではありません",
    "use NAME=VALUE": "NAME=VALUE の形で指定してください",
}


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a CJK character takes two)."""
    used = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(1, width - used)


_SUMMARY = {f"{en:<16} {{rest}}": f"{_pad(ja, 16)}{{rest}}" for en, ja in LABELS.items()}
_MARKS = {"ok      ": "正常", "WARNING ": "警告", "CRITICAL": "危険"}
_HEALTH = {
    f"{mark} {en:<8} {{rest}}": f"{_pad(mark_ja, 9)}{_pad(ja, 14)}{{rest}}"
    for mark, mark_ja in _MARKS.items()
    for en, ja in LABELS.items()
    if len(en) <= 8
}

_STRUCTURE: dict[str, str] = {
    # 構造だけの汎用パターン（最後に試す）: 形はそのまま、中身を訳す
    "- [x] {item}": "- [x] {item}",
    "- [ ] {item}": "- [ ] {item}",
    "- {item}": "- {item}",
    "  - {item}": "  - {item}",
    "{n}. {item}": "{n}. {item}",
    "{a}; {b}": "{a}。{b}",
    "{label}: {detail}": "{label}: {detail}",
    "{a}, {b}": "{a}、{b}",
    "{a} ({b})": "{a}（{b}）",
}

PATTERNS: dict[str, str] = {
    **_SUMMARY,
    **_HEALTH,
    **_REPORT,
    **DIAGNOSE,
    **_OPS,
    **_MORE,
    **_STRUCTURE,
}
