"""Pure analysis: text in, findings out. Never imports vendorwatch.daemon."""
