"""Declares the accounts of accounts.json (beside this file) with declare_pool, as
stacks/__main__.py does from pixverse:accounts, which PULUMI_CONFIG cannot carry beyond ~128 KiB."""

import json
from pathlib import Path

import pulumi
from pulumi_pixverse import AccountSpec, declare_pool

entries = json.loads((Path(__file__).parent / "accounts.json").read_text())
specs = [
    AccountSpec(
        e["name"],
        discord=e["discord"],
        server=e["server"],
        channel=e["channel"],
        max_jobs=e["maxJobs"],
        label=f"accounts.json[{i}] ({e['name']})",
    )
    for i, e in enumerate(entries)
]
pool = declare_pool(specs)
pulumi.export("channels", [account.channel for account in pool])
