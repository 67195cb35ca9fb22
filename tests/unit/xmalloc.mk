UNIT_TESTS += xmalloc
xmalloc_SRCS := tests/unit/test_xmalloc.c common/xmalloc.c common/page_alloc.c
