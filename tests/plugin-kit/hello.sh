IFS= read -r name
printf 'Hello, %s!\n' "$name"
