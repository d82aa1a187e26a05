"""The repository README's Python example, run as written against the server."""

import contextlib
import io
import os
import re
import unittest

from .server import env

README = os.path.join(os.path.dirname(__file__), "..", "..", "..", "README.md")


class ReadmeTest(unittest.TestCase):
    def test_the_readme_example_runs_and_prints_what_it_says(self):
        env("TOLLGATE_URL")
        env("TOLLGATE_TOKEN")
        with open(README, encoding="utf-8") as f:
            text = f.read()
        section = text[text.index("## From Python"):]
        blocks = re.findall(r"```python\n(.*?)```", section, re.S)
        self.assertTrue(blocks, "no ```python block under ## From Python in README.md")
        code = blocks[0]
        self.assertEqual(5, len(code.strip().splitlines()), code)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
        printed = out.getvalue()
        # the comment on the last line says what it prints
        expected = code.strip().splitlines()[-1].split("# ", 1)[1]
        self.assertTrue(printed.startswith(expected.split(" [")[0]), printed)
        self.assertIn("external-send-with-financial-data", printed)
