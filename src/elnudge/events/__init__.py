"""Events: the envelope the SDK and back-ends send, validated and stored."""
