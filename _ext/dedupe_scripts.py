"""Write each inline ``<script>`` of a page once.

Sphinx 7.4 writes an inline script twice when an extension adds it with
``app.add_js_file(None, body=...)`` after the builder has started: the builder gets a copy with
filename ``None`` at once, and ``prepare_writing()`` adds the registry's copy again with filename
``""``, which does not compare equal. sphinx-thebe adds ``const THEBE_JS_URL = ...`` this way, so
without this extension every page of the book logs "Uncaught SyntaxError: Identifier
'THEBE_JS_URL' has already been declared" (the browser tests check the console).
"""

from __future__ import annotations


def _script_key(script) -> tuple:
    attributes = getattr(script, "attributes", {})
    return (getattr(script, "filename", script) or "", tuple(sorted(attributes.items())))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # The same list object as the builder's: it restores the list after each page.
    scripts[:] = unique


def setup(app):
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
