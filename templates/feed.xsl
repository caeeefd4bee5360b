<?xml version="1.0" encoding="UTF-8"?>
<!-- Makes feed.xml readable when someone opens it in a browser: the feed stays
     the same XML for apps; browsers that apply XSLT show this page instead. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="itunes atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>
  <xsl:template match="/rss/channel">
    <html lang="{language}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title>Podcast feed: <xsl:value-of select="title"/></title>
        <link rel="stylesheet" href="style.css"/>
      </head>
      <body class="feed">
        <header class="masthead">
          <a class="home" href="{link}"><xsl:value-of select="title"/></a>
        </header>
        <main id="main">
          <section class="hero">
            <img class="cover" src="{itunes:image/@href}" alt="{title} cover art"/>
            <div>
              <p class="kicker">Podcast feed</p>
              <h1><xsl:value-of select="title"/></h1>
              <p class="byline">By <xsl:value-of select="itunes:author"/></p>
              <p>This is the show's RSS feed: the address podcast apps subscribe to.
                Copy the address of this page into your podcast app, or
                <a href="{link}">visit the show's website</a>.</p>
              <p><code><xsl:value-of select="atom:link[@rel='self']/@href"/></code></p>
            </div>
          </section>
          <section>
            <h2>Episodes</h2>
            <ol class="episode-list">
              <xsl:for-each select="item">
                <li>
                  <h3><a href="{link}"><xsl:value-of select="title"/></a></h3>
                  <p class="meta">
                    <xsl:value-of select="substring(pubDate, 6, 11)"/>
                    <xsl:if test="number(itunes:duration) = number(itunes:duration)"> · <xsl:value-of select="floor(itunes:duration div 60)"/>:<xsl:value-of select="format-number(itunes:duration mod 60, '00')"/></xsl:if>
                    · <a href="{enclosure/@url}">MP3</a>
                  </p>
                </li>
              </xsl:for-each>
            </ol>
          </section>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
