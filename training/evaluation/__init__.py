"""`escalation-evaluate` (`evaluate`): an artifact judged on held-out data, by grouped
cross-validation of its configuration, on whole articles (`articles`) and by behaviour checks
(`checks`, `actor_swap`); intervals (`intervals`), figures and tables (`report`)."""
