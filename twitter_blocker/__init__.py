"""twitter-blocker: bulk-block accounts on X safely, resumably and inside X's rate limits."""

__version__ = "0.1.0"
