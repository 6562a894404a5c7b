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
    "Write cookies(_<n>).json, users.json, users_ids.json, truth(_<n>).json here.": (
        "cookies(_<n>).json、users.json、users_ids.json、truth(_<n>).json をここに書き出します。"
    ),
}
