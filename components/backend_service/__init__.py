"""BackendService: the Node.js/Express API on Railway, the contract its policies read and its cost."""
