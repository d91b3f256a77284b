"""Declares the accounts of accounts.json (beside this file) with declare_pool, as
stacks/__main__.py does from pixverse:accounts and pixverse:accountsV2, which PULUMI_CONFIG cannot
carry beyond ~128 KiB: an entry with an `email` is a v2 account, any other a v1 account."""

import json
from pathlib import Path

import pulumi
from pulumi_pixverse import AccountSpec, AccountV2Spec, declare_pool

entries = json.loads((Path(__file__).parent / "accounts.json").read_text())


def spec(index: int, e: dict) -> AccountSpec | AccountV2Spec:
    label = f"accounts.json[{index}] ({e['name']})"
    if "email" in e:
        return AccountV2Spec(
            e["name"], email=e["email"], password=e["password"], max_jobs=e["maxJobs"], label=label
        )
    return AccountSpec(
        e["name"],
        discord=e["discord"],
        server=e["server"],
        channel=e["channel"],
        max_jobs=e["maxJobs"],
        label=label,
    )


pool = declare_pool([spec(i, e) for i, e in enumerate(entries)])
pulumi.export("channels", [a.channel for a, e in zip(pool, entries, strict=True) if "email" not in e])
pulumi.export("emails", [a.email for a, e in zip(pool, entries, strict=True) if "email" in e])
