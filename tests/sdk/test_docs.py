"""Every code block of README.md and docs/ checks as what it is, and every relative link and anchor
resolves (tools/check_docs.py); a broken block or link of each kind is caught."""

from __future__ import annotations

from pathlib import Path

import check_docs

BROKEN = """\
# A page

[a heading that exists](#a-page) and [one that does not](#nowhere), [a file](missing.md).

```ts
import * as pixverse from "pulumi-pixverse";
export const channel: number = new pixverse.Account("a", { discord: "d", server: "s", channel: "c", maxJobs: 1 }).channel;
```

```python
import pulumi_pixverse_sdk as pixverse

pixverse.Account("a", discord="d", server="s", channel="c", max_jobs="three")
```

```yaml
name: broken
runtime: yaml
resources:
  a:
    type: pixverse:index:Acount
  b:
    type: pixverse:index:AccountV2
    properties: { email: e@example.com, password: p, maxJobs: 1, region: eu }
outputs:
  plan:
    fn::invoke: { function: pixverse:index:getPlan, arguments: {} }
```

```sh
cd $HOME/some folder
```

```go
package main

func main() {
	var unused int
}
```
"""


def test_every_snippet_and_link_of_the_documentation_checks():
    problems = check_docs.check(check_docs.documents())
    assert problems == []


def test_a_broken_snippet_or_link_of_each_kind_is_caught(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(BROKEN)
    problems = "\n".join(check_docs.check([page]))
    assert "the link #nowhere leads to no heading" in problems and "#a-page" not in problems
    assert "the link missing.md leads to no file" in problems
    assert "ts: " in problems and "not assignable to type 'number'" in problems
    assert "python: " in problems and 'No overload variant of "Account"' in problems
    assert "resource a: the schema has no type pixverse:index:Acount" in problems
    assert "resource b: pixverse:index:AccountV2 has no input region" in problems
    assert "fn::invoke of pixverse:index:getPlan: the schema has no such function" in problems
    assert "sh: " in problems and "SC2164" in problems
    assert "go: " in problems and "page.md:38: declared and not used: unused" in problems
