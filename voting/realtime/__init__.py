"""Socket.IO: handlers (thin, authenticate at connect) and publishing (after commit, coalesced)."""
