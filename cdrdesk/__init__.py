"""cdrdesk: desktop review of contact-centre Call Detail Records."""

__version__ = "0.1.0"
