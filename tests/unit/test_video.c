/* test_video.c — lesson video URLs (video.h): the YouTube and TikTok forms
 * people paste, turned into embed URLs, and everything else refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "sinau/core/video.h"

#define YT_EMBED "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
#define TT_EMBED "https://www.tiktok.com/embed/v2/7301234567890123456"

static void expect_embed(const char *url, enum video_provider p, const char *embed)
{
    char out[VIDEO_EMBED_MAX];

    memset(out, 'x', sizeof out);
    if (video_parse(url, out) != p)
        fail_msg("%s: wrong provider", url);
    assert_string_equal(out, embed);
}

static void expect_refused(const char *url)
{
    char out[VIDEO_EMBED_MAX];

    memset(out, 'x', sizeof out);
    if (video_parse(url, out) != VIDEO_NONE)
        fail_msg("accepted: %s", url);
    assert_string_equal(out, "");
}

static void video_youtube_watch_urls_become_nocookie_embeds(void **state)
{
    const char *urls[] = {
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "http://youtube.com/watch?v=dQw4w9WgXcQ",
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ",
        "HTTPS://WWW.YouTube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?feature=share&v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?list=PL123&v=dQw4w9WgXcQ&t=42s",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s#comments",
        "https://www.youtube.com/watch?&v=dQw4w9WgXcQ",
    };

    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++)
        expect_embed(urls[i], VIDEO_YOUTUBE, YT_EMBED);
}

static void video_youtube_short_shorts_and_embed_urls_are_recognised(void **state)
{
    const char *urls[] = {
        "https://youtu.be/dQw4w9WgXcQ",
        "https://youtu.be/dQw4w9WgXcQ?si=AbCdEfGh12345678",
        "https://youtu.be/dQw4w9WgXcQ?t=10#x",
        "https://www.youtube.com/shorts/dQw4w9WgXcQ",
        "https://youtube.com/shorts/dQw4w9WgXcQ?feature=share",
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "https://www.youtube.com/embed/dQw4w9WgXcQ?start=30",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://youtube-nocookie.com/embed/dQw4w9WgXcQ?rel=0",
    };

    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++)
        expect_embed(urls[i], VIDEO_YOUTUBE, YT_EMBED);
    expect_embed("https://youtu.be/a-b_C9d-E_f", VIDEO_YOUTUBE,
                 "https://www.youtube-nocookie.com/embed/a-b_C9d-E_f");
}

static void video_tiktok_video_and_embed_urls_are_recognised(void **state)
{
    const char *urls[] = {
        "https://www.tiktok.com/@diskominfo.malang/video/7301234567890123456",
        "https://tiktok.com/@user_1/video/7301234567890123456?is_from_webapp=1&sender_device=pc",
        "https://m.tiktok.com/@user/video/7301234567890123456",
        "https://www.tiktok.com/embed/v2/7301234567890123456",
        "http://www.tiktok.com/embed/v2/7301234567890123456#top",
    };

    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++)
        expect_embed(urls[i], VIDEO_TIKTOK, TT_EMBED);
    expect_embed("https://www.tiktok.com/embed/v2/123456789012345", VIDEO_TIKTOK,
                 "https://www.tiktok.com/embed/v2/123456789012345");
    expect_embed("https://www.tiktok.com/embed/v2/1234567890123456789012345", VIDEO_TIKTOK,
                 "https://www.tiktok.com/embed/v2/1234567890123456789012345");
}

static void video_refuses_other_schemes(void **state)
{
    expect_refused("javascript:alert(1)//https://www.youtube.com/watch?v=dQw4w9WgXcQ");
    expect_refused("javascript://www.youtube.com/watch?v=dQw4w9WgXcQ");
    expect_refused("data:text/html,https://youtu.be/dQw4w9WgXcQ");
    expect_refused("ftp://www.youtube.com/watch?v=dQw4w9WgXcQ");
    expect_refused("//www.youtube.com/watch?v=dQw4w9WgXcQ");
    expect_refused("www.youtube.com/watch?v=dQw4w9WgXcQ");
    expect_refused("https:/www.youtube.com/watch?v=dQw4w9WgXcQ");
    expect_refused("");
    expect_refused(NULL);
}

static void video_refuses_hosts_off_the_allow_list(void **state)
{
    expect_refused("https://evil.com/watch?v=dQw4w9WgXcQ");
    expect_refused("https://www.youtube.com.evil.com/watch?v=dQw4w9WgXcQ");
    expect_refused("https://evilyoutube.com/watch?v=dQw4w9WgXcQ");
    expect_refused("https://evil.youtube.com/watch?v=dQw4w9WgXcQ");
    expect_refused("https://www.youtube.com./watch?v=dQw4w9WgXcQ");
    expect_refused("https://youtu.be.evil.com/dQw4w9WgXcQ");
    expect_refused("https://youtube.com%2eevil.com/watch?v=dQw4w9WgXcQ");
    expect_refused("https://vm.tiktok.com/ZMabcdEF/");
    expect_refused("https://vt.tiktok.com/ZSabcdEF/");
    expect_refused("https://www.tiktok.com.evil.com/embed/v2/7301234567890123456");
}

static void video_refuses_userinfo_ports_and_backslashes(void **state)
{
    expect_refused("https://youtube.com@evil.com/watch?v=dQw4w9WgXcQ");
    expect_refused("https://evil.com@youtube.com/watch?v=dQw4w9WgXcQ");
    expect_refused("https://user:pass@www.youtube.com/watch?v=dQw4w9WgXcQ");
    expect_refused("https://www.youtube.com:443/watch?v=dQw4w9WgXcQ");
    expect_refused("https://www.youtube.com:/watch?v=dQw4w9WgXcQ");
    expect_refused("https://evil.com\\@www.youtube.com/watch?v=dQw4w9WgXcQ");
    expect_refused("https://www.youtube.com\\.evil.com/watch?v=dQw4w9WgXcQ");
}

static void video_refuses_bad_ids(void **state)
{
    expect_refused("https://www.youtube.com/watch?v=dQw4w9WgXc");
    expect_refused("https://www.youtube.com/watch?v=dQw4w9WgXcQQ");
    expect_refused("https://www.youtube.com/watch?v=dQw4w9WgX.Q");
    expect_refused("https://www.youtube.com/watch?v=dQw4w9WgX%51");
    expect_refused("https://www.youtube.com/watch?v=");
    expect_refused("https://www.youtube.com/watch?vv=dQw4w9WgXcQ");
    expect_refused("https://www.youtube.com/watch?xv=dQw4w9WgXcQ");
    expect_refused("https://www.youtube.com/watch");
    expect_refused("https://youtu.be/dQw4w9WgXc");
    expect_refused("https://youtu.be/dQw4w9WgXcQ/");
    expect_refused("https://youtu.be/");
    expect_refused("https://youtu.be");
    expect_refused("https://www.youtube.com/shorts/dQw4w9WgXcQ/x");
    expect_refused("https://www.youtube.com/embed/<script>xx");
    expect_refused("https://www.tiktok.com/@user/video/12345678901234");
    expect_refused("https://www.tiktok.com/@user/video/12345678901234567890123456");
    expect_refused("https://www.tiktok.com/@user/video/73012345678901234a");
    expect_refused("https://www.tiktok.com/@/video/7301234567890123456");
    expect_refused("https://www.tiktok.com/@us%65r/video/7301234567890123456");
    expect_refused("https://www.tiktok.com/@user/photo/7301234567890123456");
    expect_refused("https://www.tiktok.com/embed/7301234567890123456");
}

static void video_refuses_paths_meant_for_other_hosts(void **state)
{
    expect_refused("https://youtu.be/watch?v=dQw4w9WgXcQ");
    expect_refused("https://www.youtube.com/dQw4w9WgXcQ");
    expect_refused("https://www.youtube-nocookie.com/watch?v=dQw4w9WgXcQ");
    expect_refused("https://www.youtube-nocookie.com/shorts/dQw4w9WgXcQ");
    expect_refused("https://www.tiktok.com/watch?v=dQw4w9WgXcQ");
    expect_refused("https://www.youtube.com/embed/v2/7301234567890123456");
    expect_refused("https://www.youtube.com/@user/video/7301234567890123456");
}

static void video_refuses_spaces_controls_and_non_ascii(void **state)
{
    expect_refused(" https://youtu.be/dQw4w9WgXcQ");
    expect_refused("https://youtu.be/dQw4w9WgXcQ ");
    expect_refused("https://youtu.be/dQw4w9WgXcQ\n");
    expect_refused("https://you\ttu.be/dQw4w9WgXcQ");
    expect_refused("https://youtu.be/dQw4w9WgXcQ?si=\x01");
    expect_refused("https://yоutu.be/dQw4w9WgXcQ"); /* Cyrillic о */
}

static void video_refuses_urls_over_2000_bytes(void **state)
{
    char url[2100];
    const char *head = "https://youtu.be/dQw4w9WgXcQ?si=";
    size_t n = strlen(head);

    memcpy(url, head, n);
    memset(url + n, 'a', 2000 - n);
    url[2000] = '\0';
    expect_embed(url, VIDEO_YOUTUBE, YT_EMBED);
    url[2000] = 'a';
    url[2001] = '\0';
    expect_refused(url);
}

static void video_provider_names(void **state)
{
    assert_string_equal(video_provider_name(VIDEO_YOUTUBE), "youtube");
    assert_string_equal(video_provider_name(VIDEO_TIKTOK), "tiktok");
    assert_string_equal(video_provider_name(VIDEO_NONE), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(video_youtube_watch_urls_become_nocookie_embeds),
        cmocka_unit_test(video_youtube_short_shorts_and_embed_urls_are_recognised),
        cmocka_unit_test(video_tiktok_video_and_embed_urls_are_recognised),
        cmocka_unit_test(video_refuses_other_schemes),
        cmocka_unit_test(video_refuses_hosts_off_the_allow_list),
        cmocka_unit_test(video_refuses_userinfo_ports_and_backslashes),
        cmocka_unit_test(video_refuses_bad_ids),
        cmocka_unit_test(video_refuses_paths_meant_for_other_hosts),
        cmocka_unit_test(video_refuses_spaces_controls_and_non_ascii),
        cmocka_unit_test(video_refuses_urls_over_2000_bytes),
        cmocka_unit_test(video_provider_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
