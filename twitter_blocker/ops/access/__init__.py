"""Runbook "認証失敗" and "API制限違反": the cookies (``auth``), the rate limits
(``ratelimit``) and the endpoint table (``endpoints``, ``endpointcheck``)."""
