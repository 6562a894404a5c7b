# ruff: noqa: E501  (catalog text: one message per line reads better than split CJK strings)
"""日本語カタログ（組み立てられた行）のうち問題診断の行: ``ja_patterns.PATTERNS`` に合流する。

書き方は ``ja_patterns.py`` と同じ（英語のテンプレート -> 日本語のテンプレート）。
"""

from __future__ import annotations

# 報告の要約ブロックの見出し（16 桁に揃えた英語のラベル）と health の行（記号 + 8 桁のラベル）
LABELS = {
    "database": "データベース",
    "database WAL": "データベース WAL",
    "cookies": "Cookie",
    "targets": "対象リスト",
    "cache": "キャッシュ",
    "log": "ログ",
    "error log": "エラーログ",
    "backups": "バックアップ",
    "emergency backup": "緊急バックアップ",
    "disk": "ディスク",
    "memory": "メモリ",
    "process": "プロセス",
    "network": "ネットワーク",
    "auth": "認証",
    "rate": "レート制限",
    "lock": "ロック",
}
_HEALTH_ONLY = ("disk", "memory", "process", "network", "auth", "rate")

DIAGNOSE: dict[str, str] = {
    # 問題診断（cli/ops_diagnose.py、ops/diagnose.py、ops/facts.py）
    "diagnosis of {_dir} at {at}": "{_dir} の問題診断（{at}）",
    "# Diagnosis of `{_dir}`": "# `{_dir}` の問題診断",
    "- time (UTC): {at}": "- 時刻 (UTC): {at}",
    "== {title} ==": "== {title} ==",
    "## {title}": "## {title}",
    "Disk": "ディスク",
    "Important files": "重要ファイル",
    "Database": "データベース",
    "Memory and processes": "メモリとプロセス",
    "Network": "ネットワーク",
    "Authentication": "認証",
    "Rate limits": "レート制限",
    "Last log lines": "ログの末尾",
    "Verdict": "判定",
    "Next steps": "次の手順",
    "{_path}: {p}% used, {free} free of {total}": "{_path}: 使用率 {p}%、空き {free}（全体 {total}）",
    "missing  {label}: {_path}": "なし（必須） {label}: {_path}",
    "none yet {label}: {_path}": "まだなし {label}: {_path}",
    "ok       {label}: {_path} ({detail})": "正常     {label}: {_path}（{detail}）",
    "{size}, {n} files, mode {mode}": "{size}、{n} ファイル、モード {mode}",
    "{size}, {n} files": "{size}、{n} ファイル",
    "{size}, mode {mode}": "{size}、モード {mode}",
    # the labels of the report's files block (not the health-only ones)
    **{en: ja for en, ja in LABELS.items() if en not in _HEALTH_ONLY},
    "intact (integrity_check ok)": "正常（integrity_check ok）",
    "DAMAGED: {detail}": "破損: {detail}",
    "no database yet": "データベースはまだありません",
    "rows by status: {counts}": "ステータス別の行数: {counts}",
    "last run #{id}: {_status}, exit {code}, {_reason}, started {s}, ended {e}": (
        "前回の実行 #{id}: {_status}、終了コード {code}、{_reason}、開始 {s}、終了 {e}"
    ),
    "memory {p}% used, {a} available": "メモリ 使用率 {p}%、空き {a}",
    "a run is active: pid {pid} since {s}, running for {m} min ({_cmd}), {rss} resident": (
        "実行中: pid {pid}、開始 {s}、経過 {m} 分（{_cmd}）、常駐メモリ {rss}"
    ),
    "a run is active: pid {pid} since {s}, running for {m} min ({_cmd})": (
        "実行中: pid {pid}、開始 {s}、経過 {m} 分（{_cmd}）"
    ),
    "a run is active: pid {pid} since {s} ({_cmd}), {rss} resident": (
        "実行中: pid {pid}、開始 {s}（{_cmd}）、常駐メモリ {rss}"
    ),
    "a run is active: pid {pid} since {s} ({_cmd})": "実行中: pid {pid}、開始 {s}（{_cmd}）",
    "a run is active: pid {pid} since {s}": "実行中: pid {pid}、開始 {s}",
    "no run is active": "実行中の処理はありません",
    "stale lock file names dead pid {pid} (harmless)": (
        "古いロックファイルが終了済みの pid {pid} を指しています（無害）"
    ),
    "other tool process (not ours to stop): {pid} {_cmd}": (
        "このツールの別のプロセス（停止対象外）: {pid} {_cmd}"
    ),
    "{_base}: reachable ({detail})": "{_base}: 到達可能（{detail}）",
    "{_base}: UNREACHABLE ({detail})": "{_base}: 到達不能（{detail}）",
    "cannot connect to {_host}: {_error}": "{_host} に接続できません: {_error}",
    "HTTP probe failed: {_kind}": "HTTP での確認に失敗しました: {_kind}",
    "{_state} (recorded runs): {detail}": "{_state}（実行記録より）: {detail}",
    "{_state} (live call): {detail}": "{_state}（X に問い合わせ）: {detail}",
    "last accepted call at {at}": "最後に受け付けられた呼び出し: {at}",
    "no run recorded yet": "実行の記録はまだありません",
    "no call recorded yet (use --live to check now)": (
        "呼び出しの記録はまだありません（今すぐ確認するには --live）"
    ),
    "auth check accepted the session at {at}": "{at} の auth check でセッションを確認済み",
    "auth check at {at}: {_outcome}": "{at} の auth check: {_outcome}",
    "{_op} answered {_outcome} at {at}": "{at} に {_op} が {_outcome} を返しました",
    "the last run (#{id}) ended with exit {code}": "前回の実行（#{id}）は終了コード {code} で終了しました",
    "{_op}: {r}/{l}, reset {reset}  SPENT": "{_op}: {r}/{l}、リセット {reset}  使い切り",
    "{_op}: {r}/{l}, reset {reset}  fresh (already reset)": (
        "{_op}: {r}/{l}、リセット {reset}  未使用（リセット済み）"
    ),
    "{_op}: {r}/{l}, reset {reset}": "{_op}: {r}/{l}、リセット {reset}",
    "last 429: {_op} at {at}": "最後の 429: {_op}（{at}）",
    "(no log file)": "（ログファイルなし）",
    "L{n} {ja} ({en}): {detail}": "L{n} {ja}: {detail}",
    # 症状の詳細と次の手順（ops/diagnose.py）
    "integrity check of {_name} failed: {_detail}": "{_name} の整合性チェックに失敗: {_detail}",
    "{_name} is missing but backups exist": "{_name} がありませんが、バックアップはあります",
    "authentication {_state}: {detail}": "認証 {_state}: {detail}",
    "the X account is locked or suspended: {detail} (unlock it at x.com first)": (
        "X アカウントがロックまたは凍結されています: {detail}（先に x.com で解除してください）"
    ),
    "run #{id} (pid {pid}) died without ending (started {s})": (
        "実行 #{id}（pid {pid}）が終了処理をせずに異常終了しました（開始 {s}）"
    ),
    "run #{id} failed with exit 1 ({reason})": "実行 #{id} が終了コード 1 で失敗しました（{reason}）",
    "unexpected error": "想定外のエラー",
    "the API base {_base} is unreachable: {detail}": "API ベース {_base} に到達できません: {detail}",
    "check the network, or --api-base / TWITTER_API_BASE": (
        "ネットワーク、または --api-base / TWITTER_API_BASE を確認"
    ),
    "disk {p}% used (threshold {t}%)": "ディスク使用率 {p}%（しきい値 {t}%）",
    "memory {p}% used (threshold {t}%)": "メモリ使用率 {p}%（しきい値 {t}%）",
    "{_path} is readable by other users (mode {mode})": "{_path} を他のユーザーが読めます（モード {mode}）",
    "run #{id} stopped: {_reason}": "実行 #{id} が停止: {_reason}",
    "rate window spent; resets in {s}s": "レート制限の枠を使い切りました。{s} 秒後にリセット",
    "{a} duplicate groups, {b} block calls sent but not confirmed": (
        "重複 {a} 組、送信済みで未確認のブロック呼び出し {b} 件"
    ),
    "{n} targets failed temporarily (retry candidates)": "一時的に失敗した対象 {n} 件（再試行候補）",
    "large files: {_files}": "大きなファイル: {_files}",
}
