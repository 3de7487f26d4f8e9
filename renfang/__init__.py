"""renfang-archive: the command-line program tying crawler/, parsers/ and archive/ together."""
