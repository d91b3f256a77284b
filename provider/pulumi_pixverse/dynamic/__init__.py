"""The dynamic-provider front-end, for Python programs: the resources (`resource`), their providers
(`provider`, run by the SDK's dynamic provider server; `concurrency` lifts its cap), the pool checked
together (`pool`) and the functions (`functions`). The package root re-exports what programs use."""
