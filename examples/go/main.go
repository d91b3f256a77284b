// Two PixVerse accounts of one useapi.net subscription, declared through an explicit provider.
package main

import (
	"github.com/pulumi-pixverse/pulumi-pixverse/sdk/go/pixverse"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")

		settings := &pixverse.ProviderArgs{ApiToken: cfg.RequireSecret("apiToken").ToStringPtrOutput()}
		if apiURL := cfg.Get("apiUrl"); apiURL != "" { // default: https://api.useapi.net
			settings.ApiUrl = pulumi.String(apiURL)
		}
		subscription, err := pixverse.NewProvider(ctx, "subscription", settings)
		if err != nil {
			return err
		}

		maxJobs := cfg.GetInt("studioMaxJobs")
		if maxJobs == 0 {
			maxJobs = 5
		}
		studio, err := pixverse.NewAccount(ctx, "studio-main", &pixverse.AccountArgs{
			Discord: cfg.RequireSecret("studioDiscord"),
			Server:  pulumi.String("1100000000000000001"), // Discord ids are strings
			Channel: pulumi.String("1200000000000000011"),
			MaxJobs: pulumi.Int(maxJobs),
		}, pulumi.Provider(subscription))
		if err != nil {
			return err
		}

		creator, err := pixverse.NewAccountV2(ctx, "creator-1", &pixverse.AccountV2Args{
			Email:    pulumi.String("creator-1@studio.example"),
			Password: cfg.RequireSecret("creatorPassword"),
			MaxJobs:  pulumi.Int(3),
		}, pulumi.Provider(subscription))
		if err != nil {
			return err
		}

		ctx.Export("studioChannel", studio.Channel)
		ctx.Export("creatorAccountId", creator.AccountId)
		return nil
	})
}
