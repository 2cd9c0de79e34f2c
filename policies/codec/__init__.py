"""The policy file codec: Markdown with YAML frontmatter, read as js-yaml 4 reads it and written as its dump writes
it. Pure Python, no Django and no file I/O: text in, data out, and back."""
