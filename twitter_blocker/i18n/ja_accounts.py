# ruff: noqa: E501  (catalog text: one message per line reads better than split CJK strings)
"""日本語カタログ（1 つのプロセスで複数アカウント: ``--data-dir`` を複数指定）。

``MESSAGES`` は ``ja.MESSAGES`` に、``HELP`` は ``ja_texts.TEXTS`` に合流する。
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "flags.one_data_dir": (
        "このコマンドは 1 つのデータディレクトリで動きます。--data-dir は 1 回だけ指定してください"
        "（複数指定できるのは実行、--stats、health、diagnose、ratelimit です）"
    ),
    "flags.many_dirs_conflict": (
        "--db と --cookies は 1 アカウントのファイルを指します。--data-dir を複数指定すると各"
        "ディレクトリが自分のファイルを使うので、--db/--cookies を外してください"
    ),
    "accounts.one_only": "{flag} は 1 アカウントずつしか使えません。--data-dir を 1 つにしてください",
    "accounts.same": (
        "{first} と {second} の Cookie はどちらもアカウント {account} のものです。1 アカウントに"
        "データディレクトリは 1 つなので、どちらかを外してください"
    ),
    "accounts.started": "[{account}] {phase}: 対象 {total} 件",
    "accounts.title": "{n} アカウント",
    "accounts.facts": "対象についての共有情報: X から {proved} 件判明、ほかのアカウントの照会 {reused} 件を省略",
    "accounts.no_db": "データベースはまだありません",
}

HELP: dict[str, str] = {
    "Data directory holding the database, cookies, logs and backups [default: cwd]; "
    "repeat it to run several accounts, one per directory.": (
        "データベース・Cookie・ログ・バックアップを置くデータディレクトリ［既定: カレント］。"
        "複数回指定すると、ディレクトリごとに 1 アカウントとして複数アカウントを実行します。"
    ),
    # 複数アカウントの表の見出し（cli/multirun.py, cli/accounts_views.py）
    "account": "アカウント",
    "exit code": "終了コード",
    "how it ended": "終了理由",
    "blocked": "ブロック済み",
    "skipped": "スキップ",
    "suspended/not found": "凍結/存在しない",
    "temporary failures": "一時的な失敗",
    "API calls": "API 呼び出し",
    "targets": "対象",
    "done (final)": "完了（確定）",
    "pending targets": "未処理",
    "retry candidates": "再試行候補",
    "last run": "最後の実行",
    "health": "ヘルス",
    "checks not ok": "問題のある項目",
    "incident level": "インシデントレベル",
    "findings": "検出事項",
    "windows spent": "使い切った枠",
    "wait until (UTC)": "待機終了（UTC）",
    "operations": "操作",
    "Write cookies(_<n>).json, users.json, users_ids.json, truth(_<n>).json here.": (
        "cookies(_<n>).json、users.json、users_ids.json、truth(_<n>).json をここに書き出します。"
    ),
}
