"""Where states made by the dynamic provider find its providers: `pulumi_pixverse.provider.
PixverseAccountProvider` and `...PixverseAccountV2Provider` are stored by this name in every such
state, so this path stays. The code lives in `dynamic/provider.py`."""

from .dynamic.provider import PixverseAccountProvider, PixverseAccountV2Provider

__all__ = ["PixverseAccountProvider", "PixverseAccountV2Provider"]
