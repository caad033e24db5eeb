From: You <you@example.com>
To: ${name} <${email}>
Subject: Hello ${name}

Hello ${name},

this message was written for you by mailroom.
<#if note?has_content>
Note: ${note}
</#if>

-- 
You
