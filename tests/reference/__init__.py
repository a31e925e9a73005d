"""Reference values from independent implementations, each with the call that produced it."""
