# A first drive, from nothing to published results: a civil-servant recruitment under Decree 170/2025
# as amended by Decree 300/2026 (preset nd170-300), one quota of 2 slots, three candidates, one
# computer-based written round (no appeal window: 170 Art. 16(4) covers paper written parts only).
# Needs curl and jq; BASE (the API) and ADMIN_KEY (the key printed on first start).
set -euo pipefail
: "${BASE:=http://127.0.0.1:3000}" "${ADMIN_KEY:?set ADMIN_KEY to the admin key printed on first start}"
call() { # call <key> <method> <path> [json body]: prints the response body; on an error, the problem and exit
  local key=$1 method=$2 path=$3 body=${4:-} out
  if ! out=$(curl -sS --fail-with-body -X "$method" "$BASE/v1$path" -H "Authorization: Bearer $key" \
    ${body:+-H 'Content-Type: application/json' --data "$body"}); then
    echo "$method $path: $out" >&2
    exit 1
  fi
  printf '%s\n' "$out"
}
TODAY=$(date +%F)
CLOSES=$(date -d '+20 days' +%F)
YEAR=$(date +%Y)
RUN=$(date +%H%M%S) # keeps codes unique when the walkthrough is run again on the same server

# 1. admin: the organising agency, its headcount for the year, and one key per role.
AGENCY=$(call "$ADMIN_KEY" POST /agencies '{"code":"SNV-HN-'"$RUN"'","name":"Sở Nội vụ Hà Nội","bloc":"state"}' | jq -r .id)
call "$ADMIN_KEY" PUT "/agencies/$AGENCY/headcount/$YEAR" '{"categories":[{"staffCategory":"civil_servant","assigned":120,"filled":100}]}' >/dev/null
key() { call "$ADMIN_KEY" POST /api-keys "{\"role\":\"$1\",\"name\":\"$2\",\"agencyId\":\"$AGENCY\"}" | jq -r .key; }
ORGANIZER=$(key organizer "Phòng Công chức")
REGISTRAR=$(key registrar "Cổng tuyển dụng")
COUNCIL=$(key council "Hội đồng tuyển dụng")
APPROVER=$(key approver "Lãnh đạo Sở")

# 2. organizer: a job position, the drive under the 170 preset, one quota of 2 slots, open registration.
POSITION=$(call "$ORGANIZER" POST /job-positions "{\"agencyId\":\"$AGENCY\",\"code\":\"CV-TCCB-$RUN\",\"name\":\"Chuyên viên tổ chức cán bộ\",\"staffCategory\":\"civil_servant\"}" | jq -r .id)
DRIVE=$(call "$ORGANIZER" POST /drives "{\"code\":\"TD-$YEAR-$RUN\",\"name\":\"Tuyển dụng công chức $YEAR\",\"kind\":\"recruitment\",\"staffCategory\":\"civil_servant\",\"year\":$YEAR,\"organizingAgencyId\":\"$AGENCY\",\"ruleSet\":{\"preset\":\"nd170-300\"},\"planApprovedOn\":\"$TODAY\",\"registrationOpensOn\":\"$TODAY\",\"registrationClosesOn\":\"$CLOSES\"}" | jq -r .id)
QUOTA=$(call "$ORGANIZER" POST "/drives/$DRIVE/quotas" "{\"agencyId\":\"$AGENCY\",\"jobPositionId\":\"$POSITION\",\"slots\":2}" | jq -r .id)
call "$ORGANIZER" POST "/drives/$DRIVE/transitions" '{"to":"open"}' >/dev/null

# 3. registrar: three candidates and their applications.
APPS=()
for person in 'Nguyễn Văn An|001095012345|1995-05-20|male' 'Trần Thị Bình|001196023456|1996-08-02|female' 'Lê Minh Châu|001094034567|1994-11-30|male'; do
  IFS='|' read -r name nid born gender <<<"$person"
  CANDIDATE=$(call "$REGISTRAR" POST /candidates "{\"fullName\":\"$name\",\"nationalId\":\"$nid\",\"birthDate\":\"$born\",\"gender\":\"$gender\",\"ethnicity\":\"Kinh\"}" | jq -r .id)
  APPS+=("$(call "$REGISTRAR" POST "/drives/$DRIVE/applications" "{\"candidateId\":\"$CANDIDATE\",\"quotaId\":\"$QUOTA\"}" | jq -r .id)")
done

# 4. organizer: close registration, hold the exam, start marking.
for to in closed examining marking; do call "$ORGANIZER" POST "/drives/$DRIVE/transitions" "{\"to\":\"$to\"}" >/dev/null; done

# 5. organizer: the written round, taken on computers (its scores are the machine's).
ROUND=$(call "$ORGANIZER" POST "/drives/$DRIVE/rounds" '{"order":1,"code":"written","name":"Thi viết trên máy tính","kind":"scored","ranking":true,"parts":[{"code":"written","name":"Nghiệp vụ chuyên ngành","maxScore":"100","weight":1,"markingMode":"single","written":true,"computer":true}]}' | jq -r .id)
call "$COUNCIL" POST "/rounds/$ROUND/transitions" '{"to":"marking"}' >/dev/null

# 6. council: import the machine's scores, lock the round, reveal it.
call "$COUNCIL" PUT "/rounds/$ROUND/scores?atomic=true" "[{\"applicationId\":\"${APPS[0]}\",\"partCode\":\"written\",\"score\":\"82.50\"},{\"applicationId\":\"${APPS[1]}\",\"partCode\":\"written\",\"score\":\"76.00\"},{\"applicationId\":\"${APPS[2]}\",\"partCode\":\"written\",\"score\":\"48.00\"}]" >/dev/null
call "$COUNCIL" POST "/rounds/$ROUND/transitions" '{"to":"locked"}' >/dev/null
call "$COUNCIL" POST "/rounds/$ROUND/reveal" >/dev/null

# 7. council: compute the results and submit them; approver: approve and publish.
call "$COUNCIL" POST "/drives/$DRIVE/results/compute" | jq -c .summary
call "$COUNCIL" POST "/drives/$DRIVE/results/submit" >/dev/null
call "$APPROVER" POST "/drives/$DRIVE/results/approve" >/dev/null
call "$APPROVER" POST "/drives/$DRIVE/results/publish" >/dev/null

# 8. anyone: the published list (names, masked national IDs, scores).
curl -sS --fail-with-body "$BASE/v1/public/drives/$DRIVE/results" | jq -c '.items[0].winners[] | {fullName, rankingScore}'
