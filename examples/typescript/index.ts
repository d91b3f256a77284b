// Two PixVerse accounts of one useapi.net subscription, declared through an explicit provider.
import * as pulumi from "@pulumi/pulumi";
import * as pixverse from "pulumi-pixverse";

const config = new pulumi.Config();

const subscription = new pixverse.Provider("subscription", {
    apiUrl: config.get("apiUrl"), // default: https://api.useapi.net
    apiToken: config.requireSecret("apiToken"),
});

const studio = new pixverse.Account("studio-main", {
    discord: config.requireSecret("studioDiscord"),
    server: "1100000000000000001", // Discord ids are strings
    channel: "1200000000000000011",
    maxJobs: config.getNumber("studioMaxJobs") ?? 5,
}, { provider: subscription });

const creator = new pixverse.AccountV2("creator-1", {
    email: "creator-1@studio.example",
    password: config.requireSecret("creatorPassword"),
    maxJobs: 3,
}, { provider: subscription });

export const studioChannel = studio.channel;
export const creatorAccountId = creator.accountId;
