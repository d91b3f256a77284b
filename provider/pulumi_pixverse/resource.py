"""The path programs written for earlier releases import the resources from (`from
pulumi_pixverse.resource import PixverseAccount`); the code lives in `dynamic/resource.py`."""

from .dynamic.resource import PixverseAccount, PixverseAccountV2

__all__ = ["PixverseAccount", "PixverseAccountV2"]
