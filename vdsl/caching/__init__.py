"""Gemini context caches: `vdsl cache`, and the runtime's `create_cache`/`list_caches`/….

    model.py    `CachedContent`, expiry settings (`ttl`, `expire_time`) checked before sending
    client.py   create, list, get, update, delete through a client's project and credentials
    cli.py      `vdsl cache`

Which part of a prompt a cache holds, and how a call reads it, is `vdsl.providers.cached`.
"""
