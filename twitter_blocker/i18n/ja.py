# ruff: noqa: E501  (catalog text: one message per line reads better than split CJK strings)
"""日本語カタログ: ``messages.EN`` と同じキー、同じ ``{placeholder}``。

キーが足りないと ``tests/test_i18n.py`` が足りないキーを名指しで失敗させる。
新しいメッセージを ``messages.py`` に足したら、ここにも同じキーで日本語を足すこと。
"""

from __future__ import annotations

from .ja_features import MESSAGES as FEATURES

MESSAGES: dict[str, str] = {
    # --- cookies -------------------------------------------------------------
    "cookies.missing_file": "Cookie ファイルが見つかりません",
    "cookies.missing_file.hint": "x.com の Cookie をこのファイルにエクスポートするか、--cookies / TWITTER_COOKIES_PATH でその場所を指定してください",
    "cookies.missing_cookie": "Cookie {name!r} がありません",
    "cookies.missing_cookie.hint": (
        "https://x.com にログインし、開発者ツール > Application > Cookies > https://x.com から "
        "auth_token と ct0 をエクスポートしてください（Cookie-Editor の JSON エクスポートで可）"
    ),
    "cookies.unparseable": "Cookie を読めません: {detail}",
    "cookies.unparseable.hint": (
        "ブラウザからエクスポートした JSON 配列、JSON オブジェクト {name: value}、Netscape 形式の "
        "cookies.txt、または生の 'Cookie:' ヘッダー行を使ってください"
    ),
    "cookies.unreadable": "Cookie ファイルを読めません: {detail}",
    "cookies.empty": "Cookie ファイルが空です",
    "cookies.json_syntax": "JSON が不正です（{line} 行 {column} 列）: {detail}",
    "cookies.bad_item": "Cookie の項目{detail}",
    "cookies.bad_value": "Cookie {name!r} の値は文字列にしてください",
    "cookies.bad_item.hint": (
        '該当の項目を直す（文字列の "name" と "value" を持つオブジェクト）か、Cookie を'
        "エクスポートし直してください"
    ),
    "cookies.bad_value.hint": "引用符付きの JSON 文字列に直すか、Cookie をエクスポートし直してください",
    "cookies.not_utf8": "UTF-8 のテキストではありません（{byte} バイト目）",
    "cookies.not_utf8.hint": "UTF-8 で保存し直すか、Cookie をエクスポートし直してください",
    "cookies.netscape_fields": (
        "cookies.txt の行にはタブ区切りで 7 項目（domain, subdomains, path, secure, expiry, "
        "name, value）が必要ですが、{count} 項目しかありません"
    ),
    "cookies.header_pair": "Cookie ヘッダーの {index} 番目が name=value の形ではありません",
    "cookies.bad_char": (
        "Cookie {name!r} に Cookie ヘッダーで送れない文字（';'、改行、ASCII 以外の文字）が"
        "含まれています。Cookie をエクスポートし直してください"
    ),
    # --- targets -------------------------------------------------------------
    "targets.missing_file": "ブロック対象リストが見つかりません",
    "targets.missing_file.hint": "作成するか、--users-file / TWITTER_USERS_FILE でその場所を指定してください",
    "targets.empty": "ブロック対象リストに項目がありません",
    "targets.empty.hint": "ハンドルかユーザー ID を 1 行に 1 件、または JSON で追加してください",
    "targets.unparseable": "ブロック対象リストを読めません: {detail}",
    "targets.invalid": "不正な項目 {value!r}: {reason}",
    "targets.unreadable": "ブロック対象リストを読めません: {detail}",
    "targets.json_syntax": "JSON が不正です（{line} 行 {column} 列）: {detail}",
    "targets.json_syntax.hint": (
        "その箇所の JSON を直すか、1 行に 1 件ずつハンドルか ID を書いたテキストファイルを"
        "使ってください"
    ),
    "targets.not_utf8": "UTF-8 のテキストではありません",
    "targets.not_utf8.hint": "その行のバイト列を直すか、UTF-8 で保存し直してください",
    "targets.wrong_shape": "{detail}",
    "targets.wrong_shape.hint": (
        '{"format": "screen_name"|"user_id", "users": [...]}、JSON の配列、1 行 1 件の'
        "ハンドルか ID、id か screen_name 列のある CSV、または X の block.js を使ってください"
    ),
    "targets.unknown_format": '"format" の値 {value!r} は使えません',
    "targets.unknown_format.hint": '"screen_name" か "user_id" を指定してください',
    "targets.csv_no_column": "CSV の見出しに id 列も screen_name 列もありません（見出し: {found}）",
    "targets.csv_no_column.hint": (
        "列名を id、user_id、id_str、accountId のいずれか、または screen_name、username、"
        "handle のいずれかにしてください"
    ),
    "targets.invalid.more": "不正な項目 {value!r}: {reason}（ほかに不正な項目が {more} 件）",
    "targets.invalid.hint": "直すか、--skip-invalid を付けて除外してください",
    "targets.no_valid": "ブロック対象リストに有効な項目がありません（不正 {invalid} 件）",
    "allowlist.missing_file.hint": "作成するか、--allowlist に渡したパスを直してください",
    # --- run -----------------------------------------------------------------
    "auth.failed": (
        "X がセッション Cookie を拒否しました（{detail}）。ブラウザで https://x.com にログインし、"
        "auth_token と ct0 をエクスポートし直して（開発者ツール > Application > Cookies）、"
        "`twitter-blocker auth import FILE` を実行してください"
    ),
    "account.locked": (
        "X アカウントが一時的にロックされています（コード 326）。先に https://x.com でロックを"
        "解除してください。ロックされたアカウントでこのツールが自動で再試行することはありません"
    ),
    "account.suspended": (
        "X アカウントが凍結されています（コード 64）。先に https://x.com で解決してください。"
        "凍結されたアカウントでこのツールが自動で再試行することはありません"
    ),
    "db.busy": (
        "別の実行（pid {pid}）が {db} を使用中です。終わるのを待つか、`twitter-blocker stop` で"
        "停止してください"
    ),
    "run.interrupted": "途中で停止しました（{why}）。同じコマンドをもう一度実行すると続きから再開します",
    # --- engine ----------------------------------------------------------------
    "run.session_killed": (
        "この実行で {blocks} 件ブロックした後、X がセッションを終了させました。{fix}。"
        "次回 X の非公開の上限を超えないよう、--max-blocks-per-hour {cap} を付けてください"
    ),
    "run.blocks_before": "（停止までにこの実行で {blocks} 件ブロック済み）",
    "run.ban_signal": (
        "枠が残っているのに X が「レート制限超過」を {n} 回返しました。アカウントが制限または"
        "フラグ付けされている兆候です。再開まで数時間待ってください"
    ),
    "run.no_relationships": (
        "X のユーザー情報にフォロー関係が含まれず、friendships/lookup と friendships/show でも"
        "得られませんでした（最後のエラー: {error}）。確認できないままブロックはしていません"
    ),
    "run.cap": "ブロック上限に達しています。再開できるのは {at}（--max-wait より先）です",
    "run.outage": (
        "{minutes:.0f} 分間 X から正常な応答がありません（最後のエラー: {error}）。"
        "X かネットワークが落ちています"
    ),
    "run.too_many_errors": "リクエストが {n} 回続けて失敗しました（最後のエラー: {error}）",
    "run.no_answer": (
        "この実行で X から一度も正常な応答がありませんでした（最後のエラー: {error}）。"
        "ネットワークと --api-base を確認してください"
    ),
    "run.contradiction": (
        "検索では有効なアカウントに対し、{endpoint} が HTTP {http} コード {code} の「見つかりません」を"
        "{n} 回続けて返しました。X がこの経路を廃止または拒否している可能性があるため、"
        "「見つからない」とは記録していません"
    ),
    "run.forbidden": (
        "blocks/create が HTTP 403 コード {code} で {n} 回続けて拒否されました: {error}。"
        "https://x.com でアカウントの状態を確認してください"
    ),
    "run.refusing_blocks": (
        "X がブロックを受け付けていません（1 日の上限の可能性）。blocks/create がレート情報の"
        "ヘッダーなしで 429 を {n} 回続けて返しました。時間をおいて再開してください"
    ),
    "run.rate_limited": "{op} がレート制限中。リセットを待っています",
    "run.backing_off": "{error} のため間隔を空けて再試行します",
    "run.guessed_wait": "{op} がリセット時刻なしで 429 を返しました。{seconds:.0f} 秒後に再試行します",
    "run.allowlist_failed": "許可リストのハンドルを ID に変換できませんでした（{error}）",
    "run.allowlist_unresolved": (
        "許可リスト: @{handle} は X 上の有効なアカウントではありません。ハンドルでのみ保護します"
    ),
    "run.invalid_skipped": "{where}: 不正な項目 {value!r} をスキップしました（{reason}）",
    "run.duplicate": "{where}: 前の項目と重複しているため統合しました（{value!r}）",
    "run.more": "…ほかに {source} で {what} が {n} 件",
    "run.test_user_invalid": "不正なハンドルまたは ID {value!r}: {reason}",
    "run.other_account": "この Cookie はアカウント {found} のものですが、{db} はアカウント {bound} のものです",
    "run.other_account.hint": (
        "そのアカウントの Cookie を使うか、このアカウント用に別の --data-dir か --db を指定してください"
    ),
    "preview.title": (
        "実行は開始していません。誰もブロックしていません（ブロックするには --all、"
        "--max-users N、--retry のいずれかが必要です）。実行した場合の状況:"
    ),
    "preview.cookies_ok": "{path}: アカウント {account}",
    "preview.account_unknown": "最初の呼び出しまで ID は不明（twid Cookie なし）",
    "preview.targets_ok": "{path}: 対象 {n} 件",
    "preview.targets_invalid": "（不正な項目 {n} 件。--skip-invalid なしでは実行が止まります）",
    "preview.input_problem": "{detail}",
    "preview.no_database": "{path}: まだありません（最初の実行で作成されます）",
    "preview.database_unreadable": "{path}: 読めません（{detail}）",
    "preview.database": (
        "{path}: 記録済みの対象 {total} 件、完了 {done} 件、未処理 {pending} 件、再試行待ち {retry} 件"
    ),
    "preview.database_account": "  アカウント {account} のデータベースです",
    "preview.other_account": "  Cookie はアカウント {account} のもの: 実行は拒否されます（終了コード 2）",
    "preview.start": "始めるには:",
    "preview.cmd_dry_run": "すべて調べて判定だけ行い、誰もブロックしない",
    "preview.cmd_test_run": "本番のテスト実行: 最大 5 件までブロック",
    "preview.cmd_all": "リスト全体をブロックし、失敗分を再試行",
    "preview.cmd_stats": "現在の状況",
    # --- ops: backup, restore, db, integrity, cleanup, health, schedule ---------
    "ops.db.missing": "データベースが見つかりません",
    "ops.db.exists": "ここには既にファイルがあります。`db init` は上書きしません（先に退避してください）",
    "ops.recover.nothing_readable": "SQLite のページとして読める部分がありません",
    "ops.recover.foreign": (
        "{path}: このツールのテーブルが一つもありません（ブロック履歴のデータベースではありません）。"
        "何も復旧していません。--db / --data-dir を確認してください"
    ),
    "ops.recover.other_tables": "このツールのものではないテーブルはコピーしていません: {tables}",
    "ops.recover.failed": (
        "{path}: 読める部分がありません（SQLite のデータを含むページがありません）。"
        "バックアップから復元してください: `twitter-blocker restore backup/latest`"
    ),
    "ops.recover.not_applied": "復旧したコピーは差し替えていません（{why}）。元のファイルはそのままです",
    "ops.backup.bad_retention": "保持期間 {value!r} が不正です",
    "ops.backup.bad_retention.hint": "単位付きの数値で指定してください: 90m、24h、7d",
    "ops.backup.nothing": "バックアップするものがありません: {data_dir} にデータベースも Cookie も対象リストもありません",
    "ops.restore.no_manifest": "このツールのバックアップではありません（読める manifest.json がありません）",
    "ops.restore.no_manifest.hint": "backup/latest のようなバックアップフォルダーを指定してください",
    "ops.restore.tampered": "バックアップのファイル {name} が manifest と一致しません（{why}）。復元していません",
    "ops.restore.damaged": "バックアップのデータベース {name} が整合性チェックに失敗しました（{why}）。復元していません",
    "ops.restore.after_check": "復元したデータベースが整合性チェックに失敗しました: {why}",
    "ops.restore.nothing": "指定されたファイルはバックアップに含まれていません（{roles}）",
    "ops.schedule.no_executable": "twitter-blocker の実行ファイルが見つかりません",
    "ops.health.resource": "使用率 {percent:.1f}%（しきい値 {threshold:g}%）",
    "ops.health.resource_unreadable": "{name} の使用量を読めません: {detail}",
    "ops.health.db_missing": "{path} はまだありません",
    "ops.health.db_ok": "{name}: quick_check 正常",
    "ops.health.db_busy": "使用中: {detail}",
    "ops.health.db_damaged": "{name}: {detail}",
    "ops.health.cookies_missing": "{path} がありません",
    "ops.health.cookies_state": "{name} あり。{detail}",
    "ops.health.auth_rejected": "X がセッションを拒否しました（{at} に {outcome}）。以降、成功した呼び出しはありません",
    "ops.health.auth_last_run": "前回の実行（#{run}）は終了コード {code} で終了しました",
    "ops.health.auth_unverified": "未確認（成功した呼び出しの記録がありません）",
    "ops.health.auth_no_ledger": "未確認（読めるデータベースがありません）",
    "ops.health.auth_good": "最後に成功した呼び出し: {at}",
    "ops.health.run_active": "実行中: pid {pid}（{since} から）",
    "ops.health.stale_lock": (
        "古いロックファイル {name}（pid {pid} はロックを保持していません。無害で、次の実行が引き継ぎます）"
    ),
    "ops.health.dead_run": (
        "実行 #{run}（pid {pid}、{since} 開始）は実行中と記録されていますが、ロックを保持する"
        "プロセスがありません。異常終了しています。次の実行が残りの作業を再開します"
    ),
    "ops.health.idle": "実行中の処理はありません",
    "ops.integrity.db_missing": "データベース {path} がありません",
    "ops.integrity.db_damaged": "データベースのチェックに失敗しました: {detail}",
    "ops.integrity.unreadable": "履歴を読めません: {detail}",
    "ops.integrity.duplicates": "(user_id, screen_name) の重複が {groups} 組、{rows} 行あります",
    "ops.integrity.in_flight": (
        "block_sent_at があるのに実行中の処理がない未処理の行が {count} 件あります"
        "（ブロック中に実行が異常終了しました。次の実行がブロックし直す前に確認します）"
    ),
    "ops.integrity.impossible": (
        "status={status} user_status={user_status} reason={reason} の行が {count} 件あります。"
        "このツールが書き込むことのない組み合わせです"
    ),
    "ops.cleanup.cache_dry": "期限切れの {count} 件を削除して圧縮する予定です",
    "ops.cleanup.cache_done": "期限切れの {count} 件を削除し、圧縮しました",
    "ops.backup.written": "バックアップを作成しました: {folder}",
    "ops.backup.pruned": "保持期間を過ぎたため削除しました: {folder}",
    "ops.backup.damaged_copy": (
        "データベースのコピーが整合性チェックに失敗しました。`db recover` 用にバックアップは残します"
    ),
    "ops.backup.failed_kept_latest": (
        "バックアップ失敗: 何も削除せず、最後の正常なバックアップを latest のままにします（{latest}）"
    ),
    "ops.restore.verified": "検証済み: {folder}（{at} 取得）",
    "ops.dbcheck.ok": "{path}: 正常",
    "ops.dbcheck.damaged": (
        "{path}: 破損しています。次の手順: `twitter-blocker db recover`（救出）または "
        "`twitter-blocker restore backup/latest`"
    ),
    "ops.recover.applied": "差し替えました。破損したファイルは {kept} として残しています",
    "ops.recover.review": "未適用: {output} を確認してから `twitter-blocker db recover --apply` を実行してください",
    "ops.db.created": "{path} を作成しました",
    "ops.integrity.consistent": "整合性に問題なし",
    "ops.cleanup.dry_run": "ドライラン: 何も変更していません",
    # --- ops: diagnose, stop, recover, auth, ratelimit, incident -----------------
    "ops.diagnose.healthy": "問題は見つかりませんでした",
    "ops.diagnose.level": "インシデントレベル: {title}（初動 {response}、エスカレーション: {escalation}）",
    "ops.diagnose.escalate_now": (
        "直ちにエスカレーション: データ消失、セキュリティ侵害の疑い、または復旧手順が不明"
    ),
    "ops.stop.not_running": "{lock} を保持している実行はありません。停止するものはありません",
    "ops.stop.stopped": "pid {pid} を {seconds:.1f} 秒で正常に停止しました（SIGTERM）",
    "ops.stop.killed": "pid {pid} が {timeout:.0f} 秒間 SIGTERM に応じなかったため強制終了しました（SIGKILL）",
    "ops.stop.refused": "シグナルは送っていません: {detail}",
    "ops.stop.still_running": "SIGKILL 後も pid {pid} がロックを保持しています。手動で確認してください",
    "ops.stop.last_run": (
        "前回の実行 #{id}: {status}、終了コード {exit_code}、理由 {reason}。同じコマンドを"
        "もう一度実行すると再開します"
    ),
    "ops.recover.phase_ok": "フェーズ {number} 成功: {reason}",
    "ops.recover.phase_failed": "フェーズ {number} 失敗（終了コード {code}）: {reason}",
    "ops.recover.done": "全フェーズ成功。結果を確認してから通常どおり実行してください:",
    "ops.recover.dry_run": "ドライラン: 各フェーズで調べて判定しただけで、誰もブロックしていません",
    "ops.auth.ok": "X はセッションを受け付けています: {detail}",
    "ops.auth.not_checked": "Cookie ファイルはそろっています（X への確認はしていません）",
    "ops.auth.failed": "認証チェック失敗（{verdict}）: {detail}",
    "ops.auth.repair": "Cookie を直すには:",
    "ops.auth.imported": "{dest} に Cookie {count} 件を書き込みました（モード 0600）",
    "ops.auth.file_mode": (
        "警告: {path} は他のユーザーから読めます（モード {mode}）。`chmod 600 {path}` を実行してください"
    ),
    "ops.auth.kept_aside": "以前のファイルは {path} として残しています（モード 0600）",
    "ops.auth.stdin_tty": "エクスポートした Cookie を貼り付けてから Ctrl-D を押してください",
    "ops.ratelimit.none": "レート制限の記録はまだありません",
    "ops.ratelimit.wait": "{utc}（ローカル時刻 {local}、あと {seconds:.0f} 秒）まで待機します…",
    "ops.ratelimit.no_wait": "使い切った枠はありません。待つ必要はありません",
    "ops.ratelimit.waited": "枠がリセットされました",
    "ops.ratelimit.interrupted": "待機を中断しました",
    "ops.ratelimit.fresh": "未使用（{utc} に枠がリセット済み。上限いっぱい使えます）",
    "ops.init.created": "{kind} {path} を作成しました（{mode}）",
    "ops.init.next": (
        "次の手順: cd {dir} し、`twitter-blocker auth import FILE` で Cookie を取り込み、"
        "ブロックするハンドルを users.json に書いてから `python3 main.py --dry-run --all` を実行"
    ),
    "ops.init.exists": "既に存在します。init は上書きしません",
    "ops.init.hint": "退避するか、別のディレクトリを選んでください",
    "ops.init.not_a_dir": "ディレクトリではありません",
    "ops.incident.written": "{path} を作成しました",
    "ops.incident.bad_id": "{folder} にインシデント報告 {incident_id} はありません",
    "ops.incident.bad_id.hint": "`twitter-blocker incident new` が表示した ID を指定してください",
    "ops.incident.bad_level": "レベルは 1、2、3 のいずれかです（省略すると検出したレベルを使います）",
    # --- x client (twitter_api facade) ------------------------------------------
    "x.bad_api_base": "{value!r} は http:// または https:// の URL ではありません",
    "x.bad_api_base.hint": "例: https://x.com、またはエミュレーターの http://127.0.0.1:PORT",
    "x.login_info_failed": (
        "X からログイン中のユーザーを読めませんでした（{detail}）。ネットワークと "
        "--api-base / TWITTER_API_BASE を確認してから再試行してください"
    ),
    # --- endpoints ------------------------------------------------------------------
    "x.home_logged_out": "x.com/home がログインページへリダイレクトしました（307）: セッションが無効です",
    "x.home_cloudflare": (
        "x.com/home が Web アプリではなく Cloudflare のチャレンジページを返したため、現在の "
        "queryId を読めませんでした（再試行しません）。拒否された操作の現在の queryId、features、"
        "method をデータディレクトリの {file} に書いてから（README の「Endpoints」）、"
        "同じコマンドをもう一度実行してください"
    ),
    "x.home_not_app": (
        "x.com/home が Web アプリを返さなかったため（HTTP {status}、{kind}）、現在の queryId を"
        "読めませんでした。データディレクトリの {file} に書いてから（README の「Endpoints」）、"
        "同じコマンドをもう一度実行してください"
    ),
    "x.contract_stale": (
        "X が使用中の queryId・features・method での {op} を拒否しており（{signal}）、"
        "x.com/home から読み直しても使える値が見つかりませんでした。{op} の現在の値を"
        "データディレクトリの {file} に書いてから（README の「Endpoints」）、同じコマンドを"
        "もう一度実行してください"
    ),
    "endpoints.bad_json": "JSON として不正です（{detail}）",
    "endpoints.bad_shape": "{expected} の形が必要です",
    "endpoints.unknown_operation": "不明な操作 {op!r}（既知の操作: {known}）",
    "endpoints.hint": (
        '{"OperationName": {"query_id": "...", "method": "GET", "features": {"flag": true}, '
        '"tid": false}} の形で書くか、ファイルを削除して組み込みの値を使ってください'
    ),
    "endpoints.refreshed": "x.com/home を読みました: {n} 件の操作が変わりました",
    "ops.auth.endpoints_failed": (
        "一部の操作が使用中の queryId を拒否しています。実行時に x.com/home から読み直します。"
        "`twitter-blocker endpoints --refresh` と x-endpoints.json（README の「Endpoints」）を"
        "参照してください"
    ),
    # --- store -----------------------------------------------------------------
    "store.cannot_open": "データベース {path} を開けません: {detail}",
    "store.not_a_database": (
        "{path} は使える SQLite データベースではありません（{detail}）。"
        "`twitter-blocker db check` で確認し、`twitter-blocker db recover` で救出するか、"
        "バックアップから復元してください"
    ),
    "store.no_wal": "{path} を WAL モードにできません（結果 {mode!r}）。ネットワークドライブ上ではありませんか",
    "store.too_new": (
        "{path} のスキーマバージョン {version} は、このツールが知る版（{known}）より新しいものです。"
        "twitter-blocker を更新するか、この版で作ったバックアップを使ってください"
    ),
    "store.foreign_schema": (
        "{path} には別のツールのデータベースのテーブル（{tables}）があります。退避する"
        "（または --db を新しいファイルに向ける）うえで、対象リストを取り込み直してください"
    ),
    "store.is_directory": "データベースではなくディレクトリです。--db にはデータベースファイルを指定してください",
    "store.unreadable": "データベースを読めません（{detail}）。権限を直してください（chmod u+r）",
    "store.not_sqlite": (
        "SQLite データベースではありません。--db はこのツールの block_history.db（または新しい"
        "ファイル）に向けてください。元がそのファイルだった場合は、バックアップから復元する"
        "（`twitter-blocker restore`）か `twitter-blocker db recover` を試してください"
    ),
    "store.foreign": (
        "twitter-blocker ではない別のツールのデータベースです（テーブル: {tables}）。"
        "何も変更していません。--db は block_history.db か新しいファイルに向けてください"
    ),
    "store.damaged": (
        "データベースが破損しています（{detail}）。何も変更していません。"
        "`twitter-blocker db recover` で救出するか、`twitter-blocker restore` でバックアップから"
        "復元してください"
    ),
    "perm.dir": (
        "このユーザーではディレクトリに書き込めません。所有者が `chmod u+w {path}` で直すか、"
        "別の --data-dir / --db を使ってください"
    ),
    "perm.file": "このユーザーでは{what}が読み取り専用です。所有者が `chmod u+w {path}` で直してください",
    "perm.missing_dir": "ディレクトリがなく、ここには作成できません。先に作成してください",
    "flags.conflict": "{first} と {second} は同時に指定できません。どちらかを外してください",
    "flags.json_needs_stats": "--json は --stats と一緒にしか使えません。--stats を付けるか --json を外してください",
    "cookies.duplicate": (
        "{domain} の {name!r} Cookie が 2 つあり値が異なります（{first} と {second}）。1 つに"
        "なるよう直すか、ログイン中のブラウザ 1 つから Cookie をエクスポートし直してください"
    ),
    "store.bad_status": "不明なステータス {status!r}。使えるのは {allowed} です",
    "store.no_row": "id {row_id} の block_history 行はありません",
    "store.no_run": "id {run_id} の process_log 行はありません",
    "cache.corrupt": (
        "キャッシュ {path} が破損していました（{detail}）。{moved} に移し、空のキャッシュで始めました"
    ),
    # --- emulator --------------------------------------------------------------
    "emulator.non_loopback": (
        "--host {host!r} はループバックアドレスではありません。エミュレーターはループバックでのみ"
        "動きます（127.0.0.1、::1、localhost を使ってください）"
    ),
    "emulator.bad_option": "{option} {value!r}: {detail}",
    "emulator.bad_switch": "--switch {detail}",
    "emulator.serving": (
        "X エミュレーターを {url} で起動しました（シード {seed}、対象 {population} 件、閲覧者 "
        "{viewers} 人、形状 {shape}、枠 {window} 秒）。Ctrl+C で停止します"
    ),
    "emulator.fixture_written": "フィクスチャーを {path} に書き出しました（{files}）",
    **FEATURES,
}
