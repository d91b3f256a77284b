"""The commands of `python -m pulumi_pixverse`: `adopt`, `migrate` and `audit`, and the Pulumi CLI they
run (`pulumi_cli`)."""
