"""meshcore's benchmark: `python -m bench` (`make bench`).

Each section measures (a function returning its JSON result), then turns its result into rows
(`section(results) -> rows.Section`) and its targets (`targets(results) -> list[rows.Target]`);
`render` prints every section the same way in the terminal and in the markdown document.
"""
