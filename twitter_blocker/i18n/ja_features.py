# ruff: noqa: E501  (catalog text: one message per line reads better than split CJK strings)
"""日本語カタログ（ブロックリスト管理・連鎖ソースの収集・インシデント記録と通知）。

``blocks export|sync``、``unblock``/``unmute``、``--action``、``collect``、``--source``、
``incident list|show|close``、``--notify``、``serve`` の文言。``MESSAGES`` は ``ja.MESSAGES`` に、
``HELP`` は ``ja_texts.TEXTS`` に、``PATTERNS`` は ``ja_patterns.PATTERNS`` に合流する。
"""

from __future__ import annotations

from .ja_accounts import HELP as ACCOUNTS_HELP
from .ja_accounts import MESSAGES as ACCOUNTS

MESSAGES: dict[str, str] = {
    # --- serve (cli/serve.py, dashboard/) -----------------------------------------
    "serve.non_loopback": (
        "--host {host!r} はループバックアドレスではありません。ダッシュボードはループバックでのみ"
        "動きます（127.0.0.1、::1、localhost を使ってください）"
    ),
    "serve.no_data_dir": "--data-dir {path}: そのディレクトリはありません。存在するデータディレクトリを指定してください",
    "serve.cannot_bind": "{host} のポート {port} で待ち受けられません: {detail}。別の --port を指定してください",
    "serve.serving": (
        "ダッシュボードを {url} で起動しました（アカウント: {accounts}）。読み取り専用です。"
        "Ctrl+C で停止します"
    ),
    **ACCOUNTS,  # several accounts in one process (ja_accounts.py)
    # --- 通知とインシデント記録（ops/reports/notify.py, incident_records.py） -------------
    "notify.title.opened": "twitter-blocker: インシデント #{number} 発生（レベル{level}）",
    "notify.title.escalated": "twitter-blocker: インシデント #{number} をエスカレーション（レベル{level}）",
    "notify.title.closed": "twitter-blocker: インシデント #{number} 解決",
    "notify.body.incident": "{symptom}: {detail}\n{at} UTC に {source} が検出（{data_dir}）",
    "notify.body.escalated": (
        "{symptom}: {detail}\n{opened} UTC から未解決です。シニア開発者・PM・システム管理者に"
        "エスカレーションしてください（{reason}）"
    ),
    "notify.body.closed": "{symptom}: 解消しました（{reason}）。期間 {opened} - {closed} UTC",
    "notify.title.run": "twitter-blocker: 実行が停止しました（{reason}、終了コード {code}）",
    "notify.body.run": "{detail}\n再開するには: {command}\n場所: {data_dir}",
    "notify.body.run_fix_first": "{detail}\n原因を直してから再開してください: {command}",
    "notify.failed": "通知先 {target} への通知に失敗しました（{detail}）。後で再送するため保存しました",
    "notify.unsupported": "Apprise で使える通知 URL ではありません（スキーム {scheme!r}）",
    "notify.unsupported.hint": "URL の書き方は https://github.com/caronc/apprise/wiki を参照してください",
    "notify.config_bad": "{detail}",
    "notify.config_bad.hint": '[notify] の下に urls = ["json://host/path", ...] と書いてください',
    "notify.no_incident": "インシデント記録 #{number} はありません",
    "notify.no_incident.hint": "`twitter-blocker incident list` に表示される番号を指定してください",
    "notify.closed_by_hand": "手動でクローズ",
    "notify.list_empty": "記録されたインシデントはありません",
    # --- 連鎖ソースの収集（engine/collecting.py, engine/sources.py） ----------------------
    "collect.bad_source": "{text!r} は収集元として使えません",
    "collect.bad_source.hint": (
        "followers:@handle、following:@handle、verified-followers:@handle、"
        "retweeters:<ポストの URL か ID>、quoters:<ポスト>、repliers:<ポスト>、likers:<ポスト>、"
        "list-members:<リストの URL か ID> のいずれかを指定してください"
    ),
    "collect.no_account": "@{handle} からは収集できません: アカウントの状態が {state} です",
    "collect.no_timeline": "X が {source} のタイムラインを返しませんでした: そのポスト、リスト、アカウントは存在しません",
    "collect.likers_hidden": (
        "{source}: ポストにいいねしたユーザーを X が見せるのは投稿者本人だけです（2024 年 6 月から"
        "いいねは非公開）。空のリストという意味ではありません"
    ),
    "collect.other_source": "{path} は {stored} の収集結果で、{source} のものではありません。-o で別のファイルを指定してください",
    "collect.bad_format": "{path} の出力形式を判別できません: --format json か csv を指定してください",
    "collect.page": "{source}: {pages} ページ目、{count} 件収集",
    "collect.wait": "{source}: この操作のレート制限枠を使い切りました。{seconds:.0f} 秒待ちます",
    "collect.done": "{source}: {pages} ページで {count} アカウントを収集しました。終了理由: {reason}",
    "collect.stopped": (
        "{source}: 停止しました（{reason}）。収集済みの分は保存されています。同じコマンドを"
        "もう一度実行すると再開します"
    ),
    # --- ブロックリスト管理（cli/blocks.py, cli/unblock.py, engine/undo.py） ---------------
    "targets.mute_js": "これは X の mute.js アーカイブ（ミュートしたアカウント）で、ブロックリストではありません",
    "targets.mute_js.hint": (
        "ミュートするなら --action mute を付けて実行してください。それでもブロックするなら、"
        "ID を別のファイルに書き出してください"
    ),
    "undo.no_run": "実行 {run} はこのデータベースにありません",
    "undo.one_of": "FILE、--run N、--source NAME のどれか 1 つだけを指定してください",
    "undo.report": (
        "{action}: 完了 {done}、実施済み {already}、失敗 {failed}、API 呼び出し {calls} 回"
        "（実行 {run}、終了コード {code}: {reason}）"
    ),
    "undo.dry_run": "ドライラン: {action}の対象は {n} アカウントです（実施済み {already}）。何も送信・書き込みしていません",
    "undo.follows_lost": (
        "注意: ブロック解除で戻るのはブロック状態だけです。ブロックで外れたフォロー（双方向とも）"
        "は戻りません"
    ),
    "blocks.read_stopped": (
        "リストの読み込みが {read} アカウント目で停止しました（{reason}）。同じコマンドを"
        "もう一度実行すると続きから再開します"
    ),
    "blocks.exported": "{n} アカウントを {path} に書き出しました",
    "blocks.synced": (
        "X 上のブロックは {on_x} 件: ほかで行われた {adopted} 件を already_blocked として取り込み、"
        "X にもうない台帳のブロック {gone} 件を unblocked_elsewhere にしました（実行 {run}）"
    ),
    "blocks.block_js_needs_ids": "block.js にはユーザー ID が必要です: ID のない {n} アカウントは除きました",
    "stats.actions": (
        "操作: ブロック {block}、ブロック解除 {unblock}、ミュート {mute}、ミュート解除 {unmute}。"
        "取り消した実行: {undone}"
    ),
}

HELP: dict[str, str] = {
    **ACCOUNTS_HELP,
    # blocks
    "Your block list: export it (from the ledger or from X), sync the ledger with X.": (
        "ブロックリスト: 書き出し（台帳から、または X から）と、台帳と X の同期。"
    ),
    "Write every blocked account: user_id, screen_name, when, which run, why.": (
        "ブロックしたすべてのアカウントを書き出します: user_id、screen_name、日時、実行、理由。"
    ),
    "Read the list from X instead of the ledger.": "台帳ではなく X からリストを読みます。",
    "Write here (0600).": "ここに書き出します（0600）。",
    "Longest wait; longer: stop (75).": "最長の待ち時間。これより長ければ停止します（75）。",
    "Adopt blocks made elsewhere (already_blocked); mark ledger blocks X no longer shows\n"
    "(unblocked_elsewhere). History is never deleted.": (
        "ほかで行われたブロックを取り込み（already_blocked）、X にもう表示されない台帳のブロックに\n"
        "印を付けます（unblocked_elsewhere）。履歴は削除しません。"
    ),
    # unblock / unmute / --action
    "Unblock the accounts of FILE, of run N (only those it blocked itself), or of a source "
    "list. Follows the blocks ended are not restored.": (
        "FILE のアカウント、実行 N（その実行自身がブロックしたものだけ）、またはソースリストの"
        "アカウントをブロック解除します。ブロックで外れたフォローは戻りません。"
    ),
    "Unmute the accounts of FILE, of run N, or of a source list.": (
        "FILE のアカウント、実行 N、またはソースリストのアカウントをミュート解除します。"
    ),
    "Undo run N (--stats --json).": "実行 N を取り消します（番号は --stats --json で確認）。",
    "Undo what the list file NAME brought in.": "リストファイル NAME で取り込んだ分を取り消します。",
    "Show the plan; send and write nothing.": "計画だけを表示します。送信も書き込みもしません。",
    "Seconds between calls.": "呼び出しの間隔（秒）。",
    "What a run does to the targets: block them, or mute them instead.": (
        "実行が対象に行う操作: ブロック、またはブロックの代わりにミュート。"
    ),
    # collect / --source
    "Collect a chain source: followers:@h, following:@h, verified-followers:@h,\n"
    "retweeters:POST, quoters:POST, repliers:POST, likers:POST, list-members:LIST.": (
        "連鎖ソースを収集します: followers:@h、following:@h、verified-followers:@h、\n"
        "retweeters:POST、quoters:POST、repliers:POST、likers:POST、list-members:LIST。"
    ),
    "Write the list here (resumable); without it, CSV goes to stdout.": (
        "リストをここに書き出します（再開可能）。指定しなければ CSV を標準出力に出します。"
    ),
    "Stop after N accounts.": "N アカウントで停止します。",
    "Output format [default: from the file's extension].": "出力形式 [既定値: ファイルの拡張子から判断]。",
    "Longest wait for a rate-limit reset; longer waits stop (75, resumable).": (
        "レート制限の解除を待つ最長時間。これより長い待ちは停止します（75、再開可能）。"
    ),
    "Also collect and block a chain source (followers:@h, retweeters:POST, ...; repeatable).": (
        "連鎖ソースも収集してブロックします（followers:@h、retweeters:POST など。複数指定可）。"
    ),
    "With --source: block the source account too.": "--source と併用: 収集元のアカウント自身もブロックします。",
    "With --source: never block verified accounts.": "--source と併用: 認証済みアカウントはブロックしません。",
    "A large account with N followers in the follower graph (repeatable).": (
        "フォロワーグラフに、フォロワー N 人の大規模アカウントを置きます（複数指定可）。"
    ),
    # incident list / show / close / report / postmortem, --notify
    "The incident records, newest first: level, condition, first and last seen, state.": (
        "インシデント記録を新しい順に表示します: レベル、状態名、初回検出、最終検出、状態。"
    ),
    "One incident record and everything that happened to it.": (
        "1 件のインシデント記録と、その経過のすべてを表示します。"
    ),
    "Close an incident by hand (it also closes itself once a check no longer sees it).": (
        "インシデントを手動でクローズします（チェックで検出されなくなれば自動でもクローズします）。"
    ),
    "Report incident record N: its level, and its window from when it opened.": (
        "インシデント記録 N の報告を作成します: そのレベルと、発生時からの期間。"
    ),
    "Send incident and stop notifications to this Apprise URL (repeatable; also "
    "TWITTER_BLOCKER_NOTIFY and notify.urls in config.toml of the data directory).": (
        "インシデントと停止の通知をこの Apprise URL に送ります（複数指定可。"
        "TWITTER_BLOCKER_NOTIFY やデータディレクトリの config.toml の notify.urls でも指定できます）。"
    ),
    "Emergency diagnosis (runbook 問題診断): files, db, processes, logs, network, auth, limits.\n\n"
    "Read-only for the ledger and the cookies. Prints the incident level (レベル1/2/3) and the\n"
    "next steps; what it finds opens or updates incident records in incidents.db.\n"
    "Exit 0 when nothing is wrong, 1 when a problem was found.": (
        "緊急時の問題診断（手順書「問題診断」）: ファイル、DB、プロセス、ログ、ネットワーク、認証、制限。\n\n"
        "台帳と Cookie は読み取りのみ。インシデントレベル（レベル1/2/3）と次の手順を表示し、\n"
        "見つけた問題は incidents.db のインシデント記録として起票・更新します。\n"
        "問題なしなら終了コード 0、問題があれば 1。"
    ),
    "Write incidents/ID-postmortem.md with the timeline of the incident window.\n\n"
    "ID is a report id (INC-YYYYMMDD-NNN) or an incident record number N (`incident list`):\n"
    "a record's postmortem takes its period and timeline from what was recorded.": (
        "インシデント期間のタイムラインを載せた incidents/ID-postmortem.md を作成します。\n\n"
        "ID は報告 ID（INC-YYYYMMDD-NNN）か、インシデント記録の番号 N（`incident list`）です。\n"
        "記録の事後報告は、記録された内容から期間とタイムラインを取ります。"
    ),
}


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a CJK character takes two)."""
    used = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(1, width - used)


# incident list の状態列（英語は 9 桁 + 空白、日本語は 11 桁に広げて見出しとそろえる）
_STATES = {"open": "対応中", "ESCALATED": "エスカレ済", "closed": "解決済"}
_LIST = {
    f"{{_id}}  {{_level}}  {en:<9} {{_rest}}": f"{{_id}}  {{_level}}  {_pad(ja, 11)}{{_rest}}"
    for en, ja in _STATES.items()
}
_LIST["#  L  state     condition        opened (UTC)         last seen"] = (
    f"#  L  {_pad('状態', 11)}{_pad('検出内容', 17)}{_pad('発生（UTC）', 21)}最終検出"
)
# incident show の経過の行（種別は 9 桁、検出元は 8 桁）
_KINDS = {"opened": "発生", "seen": "再検出", "escalated": "エスカレ", "closed": "解決"}
_SOURCES = ("health", "diagnose", "run", "user")
_EVENTS = {
    f"{{_at}}  {en:<9} {source:<8} {{detail}}": f"{{_at}}  {_pad(ja, 11)}{source:<8} {{detail}}"
    for en, ja in _KINDS.items()
    for source in _SOURCES
}

PATTERNS: dict[str, str] = {
    **_LIST,
    **_EVENTS,
    # incident show（cli/ops_incidents.py）
    "incident #{_id}: level {_level}, {symptom} ({_condition})": (
        "インシデント #{_id}: レベル{_level}、{symptom}（{_condition}）"
    ),
    "state       {state}": "状態        {state}",
    "detail      {detail}": "詳細        {detail}",
    "opened      {_at} UTC by {_source}": "発生        {_at} UTC（検出元 {_source}）",
    "last seen   {_at} UTC ({_n} checks)": "最終検出    {_at} UTC（検出 {_n} 回）",
    "escalated   {_at} UTC ({reason})": "エスカレ    {_at} UTC（{reason}）",
    "closed      {_at} UTC ({reason})": "解決        {_at} UTC（{reason}）",
    "unresolved past {_at}": "{_at} を過ぎても未解決",
    "not seen by {_source}": "{_source} で検出されなくなりました",
    "closed by hand": "手動でクローズ",
    "open": "対応中",
    "ESCALATED": "エスカレーション済み",
    "closed": "解決済み",
    # incident close
    "incident #{_n} was already closed": "インシデント #{_n} はすでにクローズされています",
    "incident #{_n} closed": "インシデント #{_n} をクローズしました",
    # integrity（cli/ops_db.py）: テーブル名は識別子なのでコードとして囲む
    "tables: {_names}": "テーブル: `{_names}`",
    # collect の終了理由（engine/sources.py EndReason）と停止理由
    "end cursor": "終端のカーソル",
    "no cursor": "カーソルなし",
    "repeated cursor": "同じカーソルの繰り返し",
    "three empty pages in a row": "空のページが 3 回連続",
    "empty page (stopOnEmptyResponse)": "空のページ（stopOnEmptyResponse）",
    "timeline terminated": "タイムラインの終端",
    "limit reached": "上限に到達",
    "rate": "レート制限",
    "transient": "一時的なエラー",
    "rate_limited": "レート制限",
    # unblock / unmute / --action mute（engine/actions.py）: 操作名、終了理由、進捗の見出し
    "block": "ブロック",
    "mute": "ミュート",
    "unblock": "ブロック解除",
    "unmute": "ミュート解除",
    "done": "完了",
    "error": "エラー",
    "read {_operation}": "読み込み {_operation}",
    "[read {_operation}] {rest}": "[読み込み {_operation}] {rest}",
    "[block] {rest}": "[ブロック] {rest}",
    "[mute] {rest}": "[ミュート] {rest}",
    "[unblock] {rest}": "[ブロック解除] {rest}",
    "[unmute] {rest}": "[ミュート解除] {rest}",
    "would block {n}": "ブロック予定 {n}",
    "{operation}: window spent until its reset (not sent)": (
        "{operation}: レート制限の枠を使い切っています。リセットまで送信しません"
    ),
}
