# ruff: noqa: E501  (catalog text: one message per line reads better than split CJK strings)
"""日本語カタログ（CLI の固定文言）: 英語の原文をキーにした表示時の翻訳（gettext の msgid 方式）。

キーは ``--help`` に出る英語そのもの（docstring は ``inspect.cleandoc`` 後、``\\f`` より前）。
コマンドやオプションの help を変えたら、ここのキーも合わせること（``tests/test_i18n.py``
が足りない原文を名指しで失敗させる）。
"""

from __future__ import annotations

from .ja_features import HELP as FEATURES

CLICK: dict[str, str] = {
    # click 自身の文言（click が gettext で印を付けているもの）
    "Usage:": "使い方:",
    "Options": "オプション",
    "Commands": "コマンド",
    "Positional arguments": "引数",
    "Show this message and exit.": "このヘルプを表示して終了します。",
    "Show the version and exit.": "バージョンを表示して終了します。",
    "%(prog)s, version %(version)s": "%(prog)s バージョン %(version)s",
    "Aborted!": "中断しました。",
    "Error: {message}": "エラー: {message}",
    "Try '{command} {option}' for help.": "'{command} {option}' でヘルプを表示できます。",
    "Invalid value for {param_hint}: {message}": "{param_hint} の値が不正です: {message}",
    "Invalid value: {message}": "値が不正です: {message}",
    "Missing argument": "引数がありません",
    "Missing option": "オプションがありません",
    "Missing parameter": "パラメーターがありません",
    "Missing parameter: {param_name}": "パラメーター {param_name} がありません",
    "Missing command.": "コマンドがありません。",
    "No such command {name!r}.": "コマンド {name!r} はありません。",
    "No such option {name!r}.": "オプション {name!r} はありません。",
    "Did you mean {possibility}?": "{possibility} のことですか？",
    "(Did you mean one of: {possibilities}?)": "（次のいずれかのことですか: {possibilities}）",
    "Option {name!r} does not take a value.": "オプション {name!r} は値を取りません。",
    "Option {name!r} requires an argument.": "オプション {name!r} には値が必要です。",
    "Option {name!r} requires {nargs} arguments.": "オプション {name!r} には値が {nargs} 個必要です。",
    "Got unexpected extra argument ({args})": "余分な引数があります（{args}）",
    "Got unexpected extra arguments ({args})": "余分な引数があります（{args}）",
    "{value!r} is not one of {choices}.": "{value!r} は {choices} のいずれでもありません。",
    "{value!r} is not {choice}.": "{value!r} は {choice} ではありません。",
    "{value!r} is not a valid {number_type}.": "{value!r} は有効な {number_type} ではありません。",
    "{value} is not in the range {range}.": "{value} は範囲 {range} の外です。",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} は真偽値ではありません。使える値: {states}"
    ),
    "{name} {filename!r} does not exist.": "{name} {filename!r} がありません。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} はディレクトリです。",
    "{name} {filename!r} is a file.": "{name} {filename!r} はファイルです。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} を読めません。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} に書き込めません。",
    "Could not open file {filename!r}: {message}": "ファイル {filename!r} を開けません: {message}",
    "file": "ファイル",
    "directory": "ディレクトリ",
    "path": "パス",
    "default: {default}": "既定値: {default}",
    "env var: {var}": "環境変数: {var}",
    "unknown error": "不明なエラー",
    "Do you want to continue?": "続けますか？",
}

HELP: dict[str, str] = {
    # ルートコマンド（実行本体）
    "Bulk-block accounts on X safely, resumably and inside X's rate limits.\n\n\x08\n"
    "Quick use (from the data directory holding cookies.json and users.json):\n"
    "  twitter-blocker                     what a run would find; starts nothing\n"
    "  twitter-blocker --dry-run --all     see what would happen, block nobody\n"
    "  twitter-blocker --all --auto-retry  block the whole list, then retry failures\n"
    "  twitter-blocker --stats             where things stand\n"
    "Exit codes: 0 done, 1 unexpected error, 2 bad input or usage, 3 authentication\n"
    "failed, 4 account locked or suspended, 5 another run holds the database,\n"
    "75 stopped before finishing (run again to resume).": (
        "X のアカウントを、安全に・中断再開可能に・X のレート制限内で一括ブロックします。\n\n\x08\n"
        "よく使う形（cookies.json と users.json のあるデータディレクトリで）:\n"
        "  twitter-blocker                     実行した場合の状況を表示（何も始めない）\n"
        "  twitter-blocker --dry-run --all     誰もブロックせずに結果だけ確認\n"
        "  twitter-blocker --all --auto-retry  リスト全体をブロックし、失敗分を再試行\n"
        "  twitter-blocker --stats             現在の状況\n"
        "終了コード: 0 完了、1 想定外のエラー、2 入力・使い方の誤り、3 認証失敗、\n"
        "4 アカウントのロック・凍結、5 別の実行がデータベースを使用中、\n"
        "75 途中で停止（もう一度実行すると再開）。"
    ),
    "Process the whole target list.": "ブロック対象リスト全体を処理します。",
    "Without --all: a real test run of at most N targets (a bare command blocks nobody).": (
        "--all なしで、最大 N 件の本番テスト実行（オプションなしでは誰もブロックしません）。"
    ),
    "Minimum seconds between block calls.": "ブロック呼び出しの最小間隔（秒）。",
    "Run the retry pass after the main pass.": "本処理の後に再試行処理を行います。",
    "Run the retry pass alone (it really blocks).": "再試行処理だけを行います（実際にブロックします）。",
    "Reset attempt counts; nobody leaves the retry queue.": (
        "試行回数をリセットします（再試行キューからは誰も外れません）。"
    ),
    "Show totals, retry candidates, errors, last run.": "集計、再試行候補、エラー、前回の実行を表示します。",
    "Look up and decide everything, block nobody; save a report.": (
        "すべて調べて判定し、誰もブロックせずに報告を保存します。"
    ),
    "Read-only: status, relations and blocking.": "読み取り専用: 状態、フォロー関係、ブロック状況。",
    "Never block anyone in this list (any target-list format).": (
        "このリストの相手は決してブロックしません（対象リストと同じ形式が使えます）。"
    ),
    "Also block accounts you follow.": "フォロー中のアカウントもブロックします。",
    "Also block accounts that follow you.": "フォロワーもブロックします。",
    "Longest single wait for a rate-limit reset; longer waits stop the run (75).": (
        "レート制限のリセット待ちの上限。これより長い待ちでは実行を停止します（75）。"
    ),
    "Look up suspended/not-found targets again after DAYS (suspensions get lifted).": (
        "凍結・存在しない対象を DAYS 日後に再確認します（凍結は解除されることがあります）。"
    ),
    "Cap on block calls per rolling hour (persisted across restarts).": (
        "直近 1 時間あたりのブロック呼び出し上限（再起動をまたいで保持）。"
    ),
    "Cap on block calls per rolling 24 hours (persisted across restarts).": (
        "直近 24 時間あたりのブロック呼び出し上限（再起動をまたいで保持）。"
    ),
    "Skip invalid entries of the target list instead of stopping (they are listed).": (
        "対象リストの不正な項目で止まらずにスキップします（スキップした項目は表示）。"
    ),
    "With --stats: print JSON.": "--stats と一緒に: JSON で出力します。",
    "Verbose logging (DEBUG) to the console and log file.": "コンソールとログファイルに詳細ログ（DEBUG）を出します。",
    "Print every failed API attempt as it happens.": "API 呼び出しの失敗をその都度表示します。",
    # 共通のパス・API オプション
    "Data directory holding the database, cookies, logs and backups [default: cwd].": (
        "データベース、Cookie、ログ、バックアップを置くデータディレクトリ [既定値: カレントディレクトリ]。"
    ),
    "Block history database [env TWITTER_BLOCK_DB; default: block_history.db].": (
        "ブロック履歴データベース [環境変数 TWITTER_BLOCK_DB、既定値: block_history.db]。"
    ),
    "Cookie file [env TWITTER_COOKIES_PATH; default: cookies.json].": (
        "Cookie ファイル [環境変数 TWITTER_COOKIES_PATH、既定値: cookies.json]。"
    ),
    "Target list [env TWITTER_USERS_FILE; default: users.json].": (
        "ブロック対象リスト [環境変数 TWITTER_USERS_FILE、既定値: users.json]。"
    ),
    "Cache directory [env CACHE_DIR; default: cache].": "キャッシュディレクトリ [環境変数 CACHE_DIR、既定値: cache]。",
    "Base URL of X's web API [env TWITTER_API_BASE; default: https://x.com].": (
        "X の Web API のベース URL [環境変数 TWITTER_API_BASE、既定値: https://x.com]。"
    ),
    "Language of messages and help (ja or en) [default: TWITTER_BLOCKER_LANG, else the locale].": (
        "メッセージとヘルプの言語（ja または en） [既定値: TWITTER_BLOCKER_LANG、なければロケール]。"
    ),
    # demo / emulator
    "Block a generated list end to end against the embedded X emulator, then check the truth.": (
        "生成したリストを内蔵の X エミュレーター相手に最後までブロックし、正解と突き合わせます。"
    ),
    "Targets in the generated list.": "生成するリストの対象数。",
    "Rate window length (X's is 900 s; limits stay X's).": (
        "レート制限の枠の長さ（X は 900 秒。上限値は X と同じ）。"
    ),
    "Population seed.": "生成に使うシード。",
    "Inject X's everyday failures: 3% of answers 503, 1% dropped connections.": (
        "X で日常的に起きる障害を混ぜます: 応答の 3% を 503、1% を接続断に。"
    ),
    "Use (and keep) this directory instead of a temporary one.": (
        "一時ディレクトリの代わりにこのディレクトリを使います（削除しません）。"
    ),
    "Serve a faithful loopback emulator of X's web API (docs/EMULATOR.md).": (
        "X の Web API を忠実に再現するエミュレーターをループバックで起動します（docs/EMULATOR.md）。"
    ),
    "Loopback address to bind.": "待ち受けるループバックアドレス。",
    "A data directory to show, one account each (repeatable) [default: cwd].": (
        "表示するデータディレクトリ。1 つが 1 アカウントです（繰り返し指定可）［既定: カレントディレクトリ］。"
    ),
    "Serve a read-only dashboard of one or more data directories on the loopback.\n\n"
    "The page shows each account's run, blocks per hour, rate limits, errors, health,\n"
    "incidents and backups; /metrics speaks Prometheus, /api/status JSON. Nothing is written.": (
        "1 つ以上のデータディレクトリを読み取り専用のダッシュボードとしてループバックで表示します。\n\n"
        "各アカウントの実行状況、1 時間あたりのブロック数、レート制限、エラー、ヘルス、\n"
        "インシデント、バックアップを表示します。/metrics は Prometheus 形式、/api/status は JSON です。"
        "何も書き込みません。"
    ),
    "Port (0 = any free port).": "ポート（0 は空いている任意のポート）。",
    "Number of targets.": "対象数。",
    "Viewer accounts.": "閲覧者アカウントの数。",
    "Rate window length (limits stay the same).": "レート制限の枠の長さ（上限値は変わりません）。",
    "GraphQL user node era.": "GraphQL のユーザーノードの世代。",
    "Write cookies.json, cookies_<n>.json, users.json, users_ids.json, truth.json here.": (
        "cookies.json、cookies_<n>.json、users.json、users_ids.json、truth.json をここに書き出します。"
    ),
    "Ids per batch lookup.": "一括検索 1 回あたりの ID 数。",
    "Override a rate limit.": "レート制限の上限を上書きします。",
    "Set a switch at start (JSON value), e.g. session_kill_after=500, tid_operations=Viewer.": (
        "起動時にスイッチを設定します（値は JSON）。例: session_kill_after=500、tid_operations=Viewer。"
    ),
    # diagnose / stop
    "Output format.": "出力形式。",
    "Same as --format json.": "--format json と同じです。",
    "Also make one cheap authenticated call (Viewer).": "軽い認証付き呼び出し（Viewer）も 1 回行います。",
    "Seconds for the API reachability probe.": "API 到達確認の待ち時間（秒）。",
    "Stop the run of this data directory gracefully (runbook 緊急停止).\n\n"
    "Sends SIGTERM to exactly the pid holding this database's run lock (checked\n"
    "first), waits for it to commit and exit (75), and sends SIGKILL only after\n"
    "--timeout. Never touches any other process (unlike `pkill -f`).\n"
    "Exit 0 when stopped or nothing was running, 1 otherwise.": (
        "このデータディレクトリの実行を安全に止めます（手順書「緊急停止」）。\n\n"
        "このデータベースの実行ロックを保持している pid だけに（先に確認したうえで）SIGTERM を送り、\n"
        "コミットして終了（75）するのを待ちます。--timeout を過ぎたときだけ SIGKILL を送ります。\n"
        "ほかのプロセスには一切触れません（`pkill -f` とは違います）。\n"
        "停止できたか実行中のものがなければ終了コード 0、それ以外は 1。"
    ),
    "Seconds to wait after SIGTERM before SIGKILL.": "SIGTERM から SIGKILL までの待ち時間（秒）。",
    "Print the result as JSON.": "結果を JSON で出力します。",
    # backup / restore
    "Snapshot the database (SQLite online backup), cookies and users file.\n\n"
    "Safe while a run is writing. Without --emergency it writes backup/auto_YYYYmmdd_HHMM/\n"
    "(UTC), points backup/latest and backup/block_history_latest.db at it and prunes\n"
    "automatic backups older than --retention. Folders are 0700, copies 0600; a\n"
    "manifest.json records sizes, sha256 and the integrity check of each copy.\n"
    "Exit 1 when a database copy fails its integrity check (the backup is kept).": (
        "データベース（SQLite のオンラインバックアップ）、Cookie、対象リストのスナップショットを取ります。\n\n"
        "実行中でも安全です。--emergency なしでは backup/auto_YYYYmmdd_HHMM/（UTC）に書き、\n"
        "backup/latest と backup/block_history_latest.db をそこへ向け、--retention より古い\n"
        "自動バックアップを削除します。フォルダーは 0700、コピーは 0600。manifest.json に\n"
        "各コピーのサイズ、sha256、整合性チェックの結果を記録します。\n"
        "データベースのコピーが整合性チェックに失敗したら終了コード 1（バックアップは残します）。"
    ),
    "Write emergency_backup_YYYYmmdd_HHMMSS/ in the data directory (never pruned).": (
        "データディレクトリに emergency_backup_YYYYmmdd_HHMMSS/ を作ります（自動削除されません）。"
    ),
    "Also back up the cache database.": "キャッシュのデータベースもバックアップします。",
    "Delete automatic backups taken longer ago than this (90m, 24h, 7d).": (
        "これより前に取った自動バックアップを削除します（90m、24h、7d）。"
    ),
    "Restore BACKUP (a folder such as backup/latest or emergency_backup_...).\n\n"
    "The manifest, every checksum and the integrity of every database copy are\n"
    "verified before anything is touched; a tampered or damaged backup is refused\n"
    "(exit 1, naming the file). Refused while a run holds the database (exit 5).\n"
    "Current files are kept as <name>.before-restore-<UTC>.": (
        "BACKUP（backup/latest や emergency_backup_... などのフォルダー）から復元します。\n\n"
        "何かに触れる前に manifest、すべてのチェックサム、すべてのデータベースコピーの整合性を\n"
        "検証します。改ざん・破損したバックアップは拒否します（終了コード 1、ファイル名を表示）。\n"
        "実行中はデータベースを使用中のため拒否します（終了コード 5）。\n"
        "現在のファイルは <name>.before-restore-<UTC> として残します。"
    ),
    "Restore only these files (repeatable), e.g. --only db to keep newer cookies.": (
        "指定したファイルだけを復元します（複数指定可）。例: 新しい Cookie を残すなら --only db。"
    ),
    # db
    "Check, recover or create the block history database.\n\n"
    "Path flags may come before or after the subcommand.": (
        "ブロック履歴データベースの確認・救出・作成。\n\n"
        "パスのオプションはサブコマンドの前後どちらにも書けます。"
    ),
    "quick_check, then integrity_check, then foreign_key_check; stops at the first failure.\n\n"
    "Exit 0 when intact, 1 when damaged or missing. Safe while a run is writing.": (
        "quick_check、integrity_check、foreign_key_check の順に確認し、最初の失敗で止めます。\n\n"
        "正常なら終了コード 0、破損・不在なら 1。実行中でも安全です。"
    ),
    "Salvage every readable row into recovered.db beside the database and verify it.\n\n"
    "Reads the file page by page, as SQLite's .recover does (no sqlite3 shell needed):\n"
    "every row on an undamaged page is kept, even under a damaged b-tree page, and\n"
    "the losses are counted. Older copies of a row are left out and lost lookup keys\n"
    "rebuilt, so a resume adds no duplicate rows. Only --apply swaps it in (under the\n"
    "run lock: exit 5 while a run is active), keeping the damaged file as\n"
    "<db>.damaged-<UTC>. Exit 1 when nothing was readable or the copy fails its check.": (
        "読める行をすべてデータベースの隣の recovered.db に救出し、検証します。\n\n"
        "SQLite の .recover と同じくページ単位で読みます（sqlite3 シェル不要）。破損していない\n"
        "ページの行は、上位の b-tree ページが壊れていてもすべて残し、失った分を数えます。\n"
        "古い版の行は除き、失われた検索キーは作り直すので、再開しても行は重複しません。\n"
        "差し替えは --apply のときだけ（実行ロックの下で行い、実行中は終了コード 5）で、\n"
        "破損したファイルは <db>.damaged-<UTC> として残します。\n"
        "何も読めないかコピーが検証に失敗したら終了コード 1。"
    ),
    "Swap the verified copy in (keeps the damaged file).": "検証済みのコピーに差し替えます（破損したファイルは残します）。",
    "Create an empty database with the current schema. Never overwrites a file (exit 2).": (
        "現在のスキーマで空のデータベースを作ります。既存のファイルは上書きしません（終了コード 2）。"
    ),
    # auth / ratelimit
    "Check or replace the session cookies (runbook 認証失敗).": (
        "セッション Cookie の確認・入れ替え（手順書「認証失敗」）。"
    ),
    "Parse the cookie file, show names with masked values, and ask X who we are.\n\n"
    "Exit 0 when the session is accepted, 2 for a bad or missing file, 3 when X\n"
    "rejects the cookies, 4 when the account is locked or suspended.": (
        "Cookie ファイルを読み、値を伏せて名前を表示し、X にログイン中のアカウントを問い合わせます。\n\n"
        "セッションが有効なら終了コード 0、ファイルが不正・不在なら 2、X が Cookie を拒否したら 3、\n"
        "アカウントがロック・凍結されていれば 4。"
    ),
    "Only check the file; make no live call.": "ファイルだけを確認し、X には問い合わせません。",
    "Convert any supported cookie export (or `-` for stdin) into cookies.json, mode 0600.\n\n"
    "Accepts a browser-export JSON array, a JSON object {name: value}, a Netscape\n"
    "cookies.txt or a raw Cookie header. The previous file is kept aside (0600).": (
        "対応するどの形式の Cookie エクスポート（`-` なら標準入力）も cookies.json（モード 0600）に変換します。\n\n"
        "ブラウザからエクスポートした JSON 配列、JSON オブジェクト {name: value}、Netscape 形式の\n"
        "cookies.txt、生の Cookie ヘッダーが使えます。以前のファイルは退避して残します（0600）。"
    ),
    "Each operation's limit, remaining and reset (runbook API制限違反), from the saved headers.\n\n"
    "--wait sleeps exactly until the spent window resets (Ctrl-C stops it, exit 75)\n"
    "instead of the runbook's blind `sleep 900`.": (
        "操作ごとのレート制限の上限・残り・リセット時刻を、保存済みのヘッダーから表示します（手順書「API制限違反」）。\n\n"
        "--wait は使い切った枠がリセットされるまでちょうど待ちます（Ctrl-C で中断、終了コード 75）。\n"
        "手順書の当て推量の `sleep 900` の代わりに使えます。"
    ),
    "Sleep until the relevant window resets.": "該当する枠がリセットされるまで待ちます。",
    # cleanup / recover / integrity / health
    "Free disk space: list files over 100 MB, gzip rotated logs, delete old ones,\n"
    "purge expired cache entries and compact the cache, remove the old JSON cache.\n\n"
    "The live log, error_log.jsonl, the databases and backups are never deleted.": (
        "ディスクの空きを作ります: 100 MB を超えるファイルの一覧、ローテート済みログの gzip 圧縮と\n"
        "古いログの削除、期限切れキャッシュの削除と圧縮、古い JSON キャッシュの削除。\n\n"
        "使用中のログ、error_log.jsonl、データベース、バックアップは決して削除しません。"
    ),
    "Show what would be done; change nothing.": "何をするかを表示するだけで、何も変更しません。",
    "Delete rotated logs last written more than this many days ago.": (
        "最終更新からこの日数を過ぎたローテート済みログを削除します。"
    ),
    "Phased recovery (runbook 段階的復旧): 1 target, then 5, each checked.\n\n"
    "Phase 1 runs `--max-users 1 --delay 5` (limit 30 s), phase 2 `--max-users 5\n"
    "--delay 3` (limit 60 s), each as a child process of this CLI, checked by its\n"
    "exit code and by the database (a finished run row, progress, no new\n"
    "failures). Stops at the first failed phase with its exit code.": (
        "段階的復旧（手順書「段階的復旧」）: まず 1 件、次に 5 件、それぞれ確認しながら進めます。\n\n"
        "フェーズ 1 は `--max-users 1 --delay 5`（制限時間 30 秒）、フェーズ 2 は `--max-users 5\n"
        "--delay 3`（制限時間 60 秒）を、この CLI の子プロセスとして実行し、終了コードと\n"
        "データベース（完了した実行の記録、進捗、新しい失敗がないこと）で確認します。\n"
        "失敗したフェーズがあればその終了コードで止まります。"
    ),
    "Pass --dry-run to every phase: nobody is blocked.": "全フェーズに --dry-run を付けます（誰もブロックしません）。",
    "The runbook's data integrity check: tables, counts, duplicates, checksums.\n\n"
    "Exit 1 on any inconsistency: a failed database check, duplicate rows, pending rows\n"
    "left mid-block with no run active, or status combinations the tool never writes.": (
        "手順書のデータ整合性チェック: テーブル、件数、重複、チェックサム。\n\n"
        "不整合があれば終了コード 1: データベースのチェック失敗、重複行、実行中でないのに\n"
        "ブロック途中で残った未処理の行、このツールが書き込むことのないステータスの組み合わせ。"
    ),
    "Database intact, disk and memory below thresholds, cookies valid, no stale lock.\n\n"
    "Exit 0 healthy, 1 warning, 2 critical. On a database error an emergency backup is\n"
    "taken first. No network calls; meant for cron or a container health check.": (
        "データベースが無事か、ディスクとメモリがしきい値未満か、Cookie が有効か、古いロックがないかを確認します。\n\n"
        "正常なら終了コード 0、警告 1、危険 2。データベースに異常があれば先に緊急バックアップを取ります。\n"
        "ネットワークは使いません。cron やコンテナのヘルスチェック向けです。"
    ),
    "Warn above this disk use (percent).": "ディスク使用率がこれを超えたら警告します（%）。",
    "Warn above this memory use (percent).": "メモリ使用率がこれを超えたら警告します（%）。",
    "Do not take an emergency backup when the database check fails.": (
        "データベースのチェックに失敗しても緊急バックアップを取りません。"
    ),
    # incident
    "Write incident reports and postmortems from the runbook's templates.": (
        "手順書のテンプレートからインシデント報告とポストモーテムを作成します。"
    ),
    "Write incidents/INC-YYYYMMDD-NNN.md, filled from diagnose and the logs.": (
        "diagnose とログの内容を記入した incidents/INC-YYYYMMDD-NNN.md を作成します。"
    ),
    "Severity 1-3 [default: the level diagnose detects, 3 when none].": (
        "重大度 1〜3 [既定値: diagnose が検出したレベル、なければ 3]。"
    ),
    "Language.": "言語。",
    "Start of the incident window: 90m, 2h, 1d or an ISO UTC time [default: 1h].": (
        "インシデント期間の開始: 90m、2h、1d または ISO 形式の UTC 時刻 [既定値: 1h]。"
    ),
    "Who detected it.": "発見者。",
    "Let the diagnosis make one live auth call.": "診断で認証の確認を X に 1 回問い合わせます。",
    "Language [default: the incident report's].": "言語 [既定値: インシデント報告と同じ]。",
    # schedule / init / endpoints
    "Print the hourly backup and the 15-minute health check as cron or systemd config.\n\n"
    "Paths are absolute. Nothing is installed: paste the cron lines into `crontab -e`,\n"
    "or save the units under ~/.config/systemd/user/ and enable the timers.": (
        "1 時間ごとのバックアップと 15 分ごとのヘルスチェックを cron または systemd の設定として表示します。\n\n"
        "パスは絶対パスです。何もインストールしません: cron の行を `crontab -e` に貼り付けるか、\n"
        "ユニットを ~/.config/systemd/user/ に保存してタイマーを有効にしてください。"
    ),
    "crontab lines, or systemd service and timer units.": "crontab の行、または systemd のサービスとタイマーのユニット。",
    "Retention passed to the hourly backup.": "1 時間ごとのバックアップに渡す保持期間。",
    "Create a data directory (default: the current one) in the runbook's layout.\n\n"
    "Folders 0700 (cache/, backup/), a main.py that runs the installed package (so\n"
    "`python3 main.py --all --auto-retry` works from there) and a users.json in the\n"
    "runbook's format with an empty list. Never overwrites: exit 2 when a file exists.": (
        "手順書の構成でデータディレクトリ（既定値: カレントディレクトリ）を作ります。\n\n"
        "フォルダー（cache/、backup/）は 0700。インストール済みのパッケージを動かす main.py\n"
        "（そこで `python3 main.py --all --auto-retry` が使えます）と、手順書の形式で空のリストの\n"
        "users.json を作ります。上書きはしません: ファイルがあれば終了コード 2。"
    ),
    "Show the queryId, method and features in use per GraphQL operation, their source\n"
    "(pinned, discovered, or the override file x-endpoints.json) and whether the last call\n"
    "with them worked.": (
        "GraphQL の操作ごとに、使用中の queryId・method・features、その出所（組み込み、\n"
        "x.com/home から取得、上書きファイル x-endpoints.json）、それで最後の呼び出しが\n"
        "成功したかを表示します。"
    ),
    "Read x.com/home now and use what it carries.": "今すぐ x.com/home を読み、その値を使います。",
}

TEXTS: dict[str, str] = {**CLICK, **HELP, **FEATURES}
