"""The HTTP edge: everything between the socket and Connexion's routing; see INTERNALS.md."""
