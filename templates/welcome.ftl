From: Team Example <team@example.com>
To: ${first_name} ${last_name} <${email}>
<#if cc?has_content>Cc: ${cc}</#if>
Subject: Welcome, ${first_name}!
Attachment: welcome/house-rules.txt

Hello ${first_name},

welcome to Example! Your member number is ${member_id}.

The house rules are attached. Reply to this message if anything is unclear.

-- 
Team Example
