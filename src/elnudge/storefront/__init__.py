"""The demo storefront that `elnudge demo` serves at /shop: a small shop that loads the SDK."""

from elnudge.storefront.app import create_storefront
from elnudge.storefront.pages import ShopConfig

__all__ = ["ShopConfig", "create_storefront"]
