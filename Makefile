# customer_analytics: PGXS build. `make`, `make install`, `make installcheck`.
# The pure C++ core is also built and unit-tested on its own by CMakeLists.txt.

EXTENSION  = customer_analytics
MODULE_big = customer_analytics
# The install script is generated from one fragment per analytic (src/sql/, header first). The
# test-only extension customer_analytics_test (boundary diagnostics for the regression suite) is
# installed beside it but kept out of the production script.
SQL_FRAGMENTS = src/sql/header.sql src/sql/rfm.sql src/sql/retention.sql src/sql/basket.sql \
                src/sql/clv.sql src/sql/profiles.sql src/sql/concentration.sql \
                src/sql/data_quality.sql
DATA_built = customer_analytics--0.1.sql
DATA       = test/extension/customer_analytics_test.control \
             test/extension/customer_analytics_test--0.1.sql

CORE_SRCS = $(wildcard src/core/*.cpp)
PG_SRCS   = $(wildcard src/pg/*.cpp)
OBJS      = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

# Regression tests (sql/*.sql, expected/*.out). REGRESS_EXTENDED needs the datasets in
# ../shared/data (each test prints SKIP when they are absent).
REGRESS          = boundary rfm rfm_errors rfm_summary retention readers basket basket_groups recommend clv \
                   profiles concentration data_quality \
                   hardening surface
REGRESS_EXTENDED = rfm_r_oracle rfm_online_retail retention_online_retail basket_groceries clv_cdnow \
                   profiles_online_retail concentration_online_retail data_quality_online_retail
REGRESS_OPTS     = --inputdir=. --outputdir=.

PG_CONFIG ?= pg_config
# Boost's assertions throw (src/core/errors.cpp) rather than abort the backend.
PG_CPPFLAGS += -Isrc/core -Isrc/pg -DBOOST_ENABLE_ASSERT_HANDLER
PG_CXXFLAGS += -std=c++17 -fexceptions -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-register
SHLIB_LINK += -lstdc++ -lnlopt

# Export only the module magic, _PG_init and the fmgr entry points (exports.txt; PGXS turns it into
# a linker version script): the core's C++ symbols stay inside the library, where they cannot
# clash with another library's. Not -fvisibility=hidden: up to PostgreSQL 15 PGDLLEXPORT is empty
# on ELF platforms, so it would hide the entry points too.
SHLIB_EXPORTS = exports.txt

# Rebuild objects when a header they include changes (PGXS writes .deps/*.Po).
override autodepend = yes

# No LLVM bitcode for JIT: the C++ here gains nothing from it, and it would need clang.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

.PHONY: installcheck-extended
installcheck-extended:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS_EXTENDED)

customer_analytics--0.1.sql: $(SQL_FRAGMENTS)
	cat $^ >$@

# The deterministic sample generator the regression tests and the demo read their orders from.
all: tools/ca_generate_orders
tools/ca_generate_orders: tools/generate_orders.cpp tools/generator_common.hpp
	$(CXX) -std=c++17 -O2 -Wall -Wextra -o $@ $<
EXTRA_CLEAN = tools/ca_generate_orders

# The BG/NBD + Gamma-Gamma purchase simulator bench/clv.sh fits (known true parameters, any size).
# No FMA contraction: the compiler may not change its floating-point results.
all: tools/ca_simulate_bgnbd
tools/ca_simulate_bgnbd: tools/simulate_bgnbd.cpp tools/generator_common.hpp
	$(CXX) -std=c++17 -O2 -ffp-contract=off -Wall -Wextra -o $@ $<
EXTRA_CLEAN += tools/ca_simulate_bgnbd

# The fuzzer of the SQL functions (test/fuzz.sh runs it): a libpq client, not part of `all`.
.PHONY: fuzz
fuzz: test/fuzz/ca_fuzz tools/ca_generate_orders
test/fuzz/ca_fuzz: test/fuzz/ca_fuzz.cpp
	$(CXX) -std=c++17 -O2 -Wall -Wextra -I$(shell $(PG_CONFIG) --includedir) -o $@ $< \
		-L$(shell $(PG_CONFIG) --libdir) -lpq
EXTRA_CLEAN += test/fuzz/ca_fuzz
