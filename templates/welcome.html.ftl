<!DOCTYPE html>
<html lang="en">
<body>
<p>Hello ${first_name},</p>
<p>welcome to <strong>Example</strong>! Your member number is <code>${member_id}</code>.</p>
<p>The house rules are attached. Reply to this message if anything is unclear.</p>
<p>&mdash; Team Example</p>
</body>
</html>
