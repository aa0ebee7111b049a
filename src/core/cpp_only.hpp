// Include this after every other include in each file under src/core. The core is plain C++17 and
// must stay buildable and testable without a PostgreSQL server: PostgreSQL's headers redefine names
// (gettext, printf, ...) and bring longjmp-based error handling that must never meet C++ frames
// here. If postgres.h was pulled in, directly or through another header, the build stops.
#pragma once

#ifdef POSTGRES_H
static_assert(false, "src/core must not include PostgreSQL headers (postgres.h was included)");
#endif
