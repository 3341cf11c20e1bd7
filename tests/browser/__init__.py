"""Real-browser conformance suite: headless Chromium against the middleware."""
