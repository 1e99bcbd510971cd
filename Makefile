# grant — PGXS build.  PG_CONFIG may be overridden: make PG_CONFIG=/path/to/pg_config
MODULE_big = grant
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
PGFILEDESC = "grant - routing foreign data wrapper"

EXTENSION = grant
DATA = $(sort $(wildcard sql/grant--*.sql))

REGRESS = $(shell cat test/schedule 2>/dev/null)

MYSQL_CONFIG ?= mysql_config
PG_CPPFLAGS = -I$(libpq_srcdir) $(shell $(MYSQL_CONFIG) --include) -Isrc
SHLIB_LINK_INTERNAL = $(libpq)
SHLIB_LINK = $(shell $(MYSQL_CONFIG) --libs) -lpthread

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object depends on the shared header
$(OBJS): src/grant.h

# make dist: the release tarball, from the committed tree (what `make install` builds from)
GRANT_VERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" grant.control)
.PHONY: dist
dist:
	git archive --format=tar.gz --prefix=grant-$(GRANT_VERSION)/ -o grant-$(GRANT_VERSION).tar.gz HEAD
	@echo grant-$(GRANT_VERSION).tar.gz
