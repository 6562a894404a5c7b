# twitter-blocker in a container: one process runs every account whose data directory is
# mounted under /data (README "Running unattended in a container").
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY twitter_blocker ./twitter_blocker
RUN pip install . \
    && rm -rf /src \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin blocker \
    && mkdir -p /data \
    && chown blocker:blocker /data

# Not root: the tool needs no privilege; files it creates (cookies, backups) stay 0600/0700.
USER blocker
WORKDIR /data
# One sub-directory per account: /data/alice, /data/bob, ... (cookies.json, users.json, ledger).
VOLUME ["/data"]

# The runbook's 15-minute health check: every account's directory under /data; an unhealthy
# account (warning or critical) marks the container unhealthy. On a damaged ledger `health`
# takes its emergency backup first.
HEALTHCHECK --interval=15m --timeout=2m --start-period=1m --retries=1 \
    CMD ["sh", "-c", "for d in /data/*/; do twitter-blocker health --data-dir \"$d\" || exit 1; done"]

ENTRYPOINT ["twitter-blocker"]
CMD ["--help"]
