-- GET the URL given to wrk (list, search or get by id), with the bearer token every API call needs.
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer bench"
