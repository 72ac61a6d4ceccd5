"""The embedded demo server: synthetic CDRs behind the contract's API, for trying and testing."""
