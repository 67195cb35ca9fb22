# Host tests of the text screen behind the VGA console (common/text_screen.c).
UNIT_TESTS += text_screen
text_screen_SRCS := tests/unit/test_text_screen.c common/text_screen.c
