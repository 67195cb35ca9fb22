# Host unit tests of the module command-line parser and its CPU lists; it
# reads sizes, times and lists with common/params.c and fills a cpumask.
UNIT_TESTS += domain_config
domain_config_SRCS := tests/unit/test_domain_config.c common/domain_config.c \
	common/params.c common/cpumask.c
