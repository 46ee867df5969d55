"""Sessions: how events become sessions, and the Sessions API that reads them."""
