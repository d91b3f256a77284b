"""Two PixVerse accounts of one useapi.net subscription, declared through an explicit provider."""

import pulumi
import pulumi_pixverse_sdk as pixverse

config = pulumi.Config()

subscription = pixverse.Provider(
    "subscription",
    api_url=config.get("apiUrl"),  # default: https://api.useapi.net
    api_token=config.require_secret("apiToken"),
)

studio = pixverse.Account(
    "studio-main",
    discord=config.require_secret("studioDiscord"),
    server="1100000000000000001",  # Discord ids are strings
    channel="1200000000000000011",
    max_jobs=config.get_int("studioMaxJobs") or 5,
    opts=pulumi.ResourceOptions(provider=subscription),
)

creator = pixverse.AccountV2(
    "creator-1",
    email="creator-1@studio.example",
    password=config.require_secret("creatorPassword"),
    max_jobs=3,
    opts=pulumi.ResourceOptions(provider=subscription),
)

pulumi.export("studioChannel", studio.channel)
pulumi.export("creatorAccountId", creator.account_id)
