"""Issue 30: an overwrite never happens without a word. Every create that writes over a differing live
account it did not make leaves a warning in the engine's log naming the account, the fields and where
pixverse:allowOverwrite came from; and a provider process whose creates and updates run with it on
says so once, even when nothing is overwritten. Without an engine, warnings go to stderr."""

from __future__ import annotations

import pytest
from pulumi_pixverse.core import api_access
from pulumi_pixverse.dynamic.provider import PixverseAccountProvider, PixverseAccountV2Provider
from test_ownership_rules import PROPS, PROPS_V2, THEIRS, THEIRS_V2

FROM_CONFIG = (
    "pixverse:allowOverwrite is on (from pixverse:allowOverwrite): a create writes the declared values over "
    "a live account of its channel or email that this stack did not make; turn it off again with "
    "`pulumi config rm pixverse:allowOverwrite` (an explicit provider: remove its allowOverwrite)"
)


@pytest.fixture(autouse=True)
def a_new_provider_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test is a provider process of its own: nothing said once has been said yet."""
    monkeypatch.setattr(api_access, "_SAID", set())


def settings(emulator, **more: str) -> dict[str, str]:
    return {
        "pixverse:apiToken": emulator.token,
        "pixverse:apiUrl": emulator.url,
        "pixverse:maxRetries": "2",
        **{f"pixverse:{key}": value for key, value in more.items()},
    }


def warnings(capfd: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capfd.readouterr().err.splitlines() if line.startswith("warning: ")]


def test_an_overwrite_from_stack_config_warns_naming_the_account_the_fields_and_the_setting(
    configure, emulator, capfd
):
    emulator.plant(THEIRS)
    configure(PixverseAccountProvider(), settings(emulator, allowOverwrite="true")).create(PROPS)
    said = warnings(capfd)
    assert said == [
        f"warning: {FROM_CONFIG}",
        f"warning: wrote the declared values over the account on channel {PROPS['channel']}, made outside "
        "this stack, which differed from the declaration in discord, maxJobs (declared 3, live 9), since "
        "pixverse:allowOverwrite is on (from pixverse:allowOverwrite); turn it off again with "
        "`pulumi config rm pixverse:allowOverwrite` (an explicit provider: remove its allowOverwrite)",
    ]
    assert not any("discord-token" in line for line in said)


def test_an_overwrite_from_the_environment_names_useapi_allow_overwrite(
    configure, emulator, capfd, monkeypatch
):
    monkeypatch.setenv("USEAPI_ALLOW_OVERWRITE", "true")
    emulator.plant_v2(THEIRS_V2)
    configure(PixverseAccountV2Provider()).create(PROPS_V2)
    assert warnings(capfd) == [
        "warning: pixverse:allowOverwrite is on (from USEAPI_ALLOW_OVERWRITE): a create writes the declared "
        "values over a live account of its channel or email that this stack did not make; turn it off "
        "again with `unset USEAPI_ALLOW_OVERWRITE`",
        f"warning: wrote the declared values over the v2 account {PROPS_V2['email']}, made outside this "
        "stack, which differed from the declaration in maxJobs (declared 3, live 5), since "
        "pixverse:allowOverwrite is on (from USEAPI_ALLOW_OVERWRITE); turn it off again with "
        "`unset USEAPI_ALLOW_OVERWRITE`",
    ]


def test_creates_and_updates_with_the_setting_on_say_so_once_per_process(configure, emulator, capfd):
    v1 = configure(PixverseAccountProvider(), settings(emulator, allowOverwrite="true"))
    v2 = configure(PixverseAccountV2Provider(), settings(emulator, allowOverwrite="true"))
    v1.create(PROPS)
    v2.create(PROPS_V2)
    v1.update(PROPS["channel"], PROPS, {**PROPS, "maxJobs": 4})
    v2.update(PROPS_V2["email"], PROPS_V2, {**PROPS_V2, "maxJobs": 4})
    assert warnings(capfd) == [f"warning: {FROM_CONFIG}"]
