-- The words seeded groups are made of: names, places, and eight kinds of neighbourhood group
-- (themes), each with its own hopes, vision, goals, responsibilities, meeting topics, decisions and
-- action items. Themed lists are flat: item i (1-based) of theme t is at [t * 6 + i].
--
-- The lists are immutable functions of a constant (`pg_temp.w('places')`), so the planner folds
-- each into a constant once per statement; a table of arrays would be read again for every row.

-- step: -
CREATE OR REPLACE FUNCTION pg_temp.w(list text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $words$
SELECT CASE list
WHEN 'zones' THEN
ARRAY['Europe/London', 'America/New_York', 'Europe/Berlin', 'America/Chicago', 'Australia/Sydney',
      'Europe/Paris', 'America/Los_Angeles', 'Africa/Lagos', 'Asia/Tokyo', 'America/Sao_Paulo']
WHEN 'places' THEN
ARRAY['Riverside', 'Mill Street', 'Northgate', 'Eastfield', 'Hollow Lane', 'St Anne''s', 'Canal Side',
      'Old Market', 'Parkview', 'Brookhouse', 'Kingsway', 'The Crescent', 'Station Quarter', 'Hillcrest',
      'Orchard Rise', 'Ferry Road', 'Ashgrove', 'Moorside', 'Church End', 'Southbank', 'Greenhill',
      'Meadow Court', 'Bridge Ward', 'Longacre']
WHEN 'theme_names' THEN
ARRAY['Food Share', 'Garden Circle', 'Tool Library', 'Care Circle', 'Tenants Together', 'Repair Café',
      'Youth Football', 'Safe Streets']
WHEN 'purposes' THEN
ARRAY['Sharing surplus food so that no neighbour goes hungry and nothing good is wasted.',
      'Turning the empty plots between our streets into gardens we tend together.',
      'Lending tools, skills and a hand, so that every household can fix and build.',
      'Looking in on older and isolated neighbours, so that nobody is alone through the week.',
      'Tenants standing together for safe, warm and fairly priced homes.',
      'A monthly café where we mend things together instead of throwing them away.',
      'Free football for the neighbourhood''s children, run by their parents and neighbours.',
      'Making our streets safe to walk, cycle and play in, by day and by night.']
WHEN 'rationales' THEN
ARRAY['Everyone who lives or works nearby and shares the need is welcome; we ask only that you come to meetings now and then and carry something when you can.',
      'Members are neighbours who want to take part, not just receive: we share the work and the decisions.',
      'You belong here if you live close enough to drop in, and you want the group to outlast any one of us.']
WHEN 'rules' THEN
ARRAY['Be kind and assume good intent. What is said in confidence stays in the room. Say no when you need to: nobody carries alone.',
      'Listen before you answer. Decisions are made together, by consent. Tell the group when you need a break.',
      'Respect everyone''s time: start and end on time. Disagree openly, never behind backs. Ask for help early.']
WHEN 'first_names' THEN
ARRAY['Amara', 'Ben', 'Chen', 'Dolores', 'Emeka', 'Fatima', 'Gareth', 'Hana', 'Ibrahim', 'Jess', 'Kofi',
      'Lena', 'Marek', 'Nadia', 'Oisín', 'Priya', 'Quentin', 'Rosa', 'Sami', 'Tomasz', 'Uma', 'Victor',
      'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Aled', 'Bea', 'Carlos', 'Deepa', 'Elif', 'Finn', 'Grace',
      'Hamid', 'Inès', 'Jonah', 'Kemi', 'Luca', 'Maya', 'Niamh', 'Olu', 'Pia', 'Rahul', 'Sofia', 'Theo',
      'Ugo', 'Valeria', 'Will', 'Yara', 'Zainab', 'Agnes', 'Bilal', 'Cora', 'Dev', 'Erin', 'Faisal',
      'Gita', 'Hugo', 'Isla', 'Jamal', 'Kasia', 'Leon', 'Mei', 'Noor']
WHEN 'surnames' THEN
ARRAY['Okafor', 'Ahmed', 'Nowak', 'Murphy', 'Silva', 'Chen', 'Patel', 'Jones', 'Kowalski', 'Haddad',
      'Byrne', 'Mensah', 'Rossi', 'Santos', 'Khan', 'Evans', 'Novak', 'Obi', 'López', 'Walsh', 'Yılmaz',
      'Kaur', 'Dubois', 'Smith', 'Mwangi', 'Fischer', 'Osei', 'Ali', 'Hughes', 'Costa', 'Reid',
      'Ibrahim', 'Sato', 'Kim', 'Nguyen', 'Brennan', 'Adeyemi', 'Popescu', 'Farah', 'Lewis']
WHEN 'skills' THEN
ARRAY['cooking', 'gardening', 'spreadsheets and accounts', 'bike repair', 'listening', 'driving',
      'translation (Polish)', 'first aid', 'carpentry', 'social media', 'childcare', 'writing letters',
      'baking', 'coaching football', 'electrics', 'sewing']
WHEN 'locations' THEN
ARRAY['Community room, the library', 'St Anne''s church hall, side door', 'Back room of the Red Lion',
      'Tenants'' hall, block C', 'Online (call link in the group chat)']
WHEN 'hopes' THEN
ARRAY[
 'That nobody on our street has to choose between heating and eating.',
 'A weekly table where surplus from the market reaches families before it spoils.',
 'Cooking together once a month, so that sharing food becomes sharing time.',
 'A fridge at the corner that anyone can fill and anyone can take from.',
 'That older people on the estate get a hot meal brought round when they cannot come.',
 'To know the names of the people we share food with.',
 'Vegetables growing where the broken fence is now.',
 'A place where the children learn where food comes from.',
 'Shared tools and a shed we look after together.',
 'Flowers for the bees all along the railway path.',
 'A compost scheme for the whole block.',
 'Somewhere green to sit for people without a garden.',
 'That nobody buys a drill they will use twice.',
 'Evenings where those who know how teach those who want to learn.',
 'A shelf of tools in the community centre, lent with a smile.',
 'Help for neighbours who cannot do their own repairs.',
 'A list of who knows what, so that we can ask each other.',
 'Less waste and fewer things in landfill.',
 'That every older neighbour gets a knock on the door each week.',
 'Lifts to the surgery for people who cannot drive.',
 'A phone tree so that nobody is forgotten in a cold snap.',
 'Afternoon tea where the lonely become regulars.',
 'That carers get a break now and then.',
 'To notice when someone stops coming out.',
 'Repairs done within weeks, not years.',
 'That everyone knows their rights as a tenant.',
 'A tenants'' meeting the landlord has to take seriously.',
 'Warm flats without damp or mould.',
 'Rents we can afford to stay on.',
 'Neighbours who know each other on every landing.',
 'Mending instead of binning.',
 'Learning to fix a bike, a lamp, a zip.',
 'A café where people stay for the conversation.',
 'Skills passed from the older generation to the young.',
 'Fewer broken things in drawers.',
 'A welcoming table for people new to the area.',
 'Every child who wants to play gets a game, boots or not.',
 'Coaches who look like the neighbourhood.',
 'A safe walk to the pitch.',
 'Parents who know each other on the touchline.',
 'A girls'' team by next season.',
 'Matches against the next neighbourhood, and a party after.',
 'Children playing out on the street again.',
 'Slower traffic past the school.',
 'Lights that work on the path to the station.',
 'Walking buses to school.',
 'Benches where people can rest and talk.',
 'That people feel safe walking home at night.']
WHEN 'common_hopes' THEN
ARRAY['That we keep meeting even when it is hard.', 'That nobody has to carry this alone.',
      'To meet neighbours I have passed for years without a word.', 'That newcomers feel at home quickly.',
      'That we decide things together and stick to them.',
      'A group that lasts longer than one enthusiastic summer.', 'That people of every age take part.',
      'That we have fun doing it.', 'That we listen before we act.',
      'That what we build can be handed on to the next group.']
WHEN 'visions' THEN
ARRAY[
 'We are neighbours who share food so that nobody on our streets goes hungry and nothing good goes to waste. Every week surplus reaches the families who need it, carried by many hands, and sharing food becomes a way of knowing each other.',
 'We are neighbours turning forgotten corners into gardens. We grow food and flowers together, teach the children what we know, and make green space for everyone who has none of their own.',
 'We are neighbours who lend what we have and teach what we know. Tools, skills and time pass from house to house, so that every household can mend, build and make do.',
 'We are neighbours who look out for those living alone. Each older neighbour is known, visited and driven where they need to go, and nobody spends a week without a friendly face.',
 'We are tenants who stand together. We know our rights, we log every repair, and we speak to the landlord with one voice until every home is safe, warm and affordable.',
 'We are neighbours who mend things together. Once a month the café fills with broken lamps, bikes and coats, and with people who leave knowing a little more and throwing a little less away.',
 'We are parents and neighbours who give every child a game. Football here is free, safe and run by the people who live around the pitch, and every child who wants to play gets to play.',
 'We are neighbours making our streets safe. Children walk to school together, traffic slows past the playground, the lights work, and people feel at home on their own street after dark.']
WHEN 'goals' THEN
ARRAY[
 'Run a weekly surplus-food table', 'Set up a community fridge', 'Bring hot meals to housebound neighbours',
 'Clear and plant the plot behind Mill Street', 'Start a shared compost scheme', 'Hold a harvest lunch for the street',
 'Open the tool library two evenings a week', 'Catalogue every tool we hold', 'Run a monthly skill-share evening',
 'Visit every older neighbour on the list weekly', 'Arrange lifts to appointments', 'Host a fortnightly afternoon tea',
 'Get the outstanding repairs fixed', 'Hold a tenants'' rights evening', 'Survey every flat about damp',
 'Run a repair café every month', 'Train five new fixers', 'Keep a record of what we save from landfill',
 'Field two teams every Saturday', 'Start a girls'' team', 'Collect and share boots and kit',
 'Get a 20 mph limit past the school', 'Start a walking bus', 'Get the broken street lights fixed']
WHEN 'resp_titles' THEN
ARRAY[
 'Collect surplus from the market', 'Keep the food table rota', 'Check and clean the fridge', 'Get the food hygiene certificate', 'Find a second collection van', 'Bring meals to housebound neighbours',
 'Water the beds', 'Keep the shed keys and tool list', 'Order seeds for spring', 'Turn the compost', 'Ask the council about a water tap', 'Lead the Saturday work morning',
 'Open the library on Tuesday evenings', 'Keep the loans book', 'Sharpen and service the tools', 'Photograph and catalogue the tools', 'Fit a second lock on the shed', 'Teach at the skill-share evening',
 'Keep the visiting list up to date', 'Drive people to appointments', 'Run the phone tree', 'Bake for the afternoon tea', 'Find a warm hall for the winter tea', 'Check the rules for volunteer visitors',
 'Log every repair request', 'Write to the landlord about the lifts', 'Organise the rights evening', 'Keep in touch with each landing rep', 'Collect the damp survey forms', 'Speak for us at the housing forum',
 'Book the hall for the café', 'Bring and test the electrical kit', 'Greet people and log the items', 'Recruit a sewing fixer', 'Print the new posters', 'Keep the landfill-saved tally',
 'Coach the under-10s', 'Wash the kit', 'Book the pitch for the season', 'Run the boot swap', 'Find a coach for the girls'' team', 'Walk the children to the pitch',
 'Collect signatures for the 20 mph limit', 'Lead the Monday walking bus', 'Report broken lights to the council', 'Talk to the school about a crossing', 'Organise the play street', 'Keep the street map of hazards']
WHEN 'resp_kinds' THEN
ARRAY[
 'ongoing', 'ongoing', 'ongoing', 'task', 'task', 'ongoing',
 'ongoing', 'ongoing', 'task', 'ongoing', 'task', 'ongoing',
 'ongoing', 'ongoing', 'ongoing', 'task', 'task', 'ongoing',
 'ongoing', 'ongoing', 'ongoing', 'ongoing', 'task', 'task',
 'ongoing', 'task', 'task', 'ongoing', 'task', 'ongoing',
 'ongoing', 'ongoing', 'ongoing', 'task', 'task', 'ongoing',
 'ongoing', 'ongoing', 'task', 'ongoing', 'task', 'ongoing',
 'task', 'ongoing', 'ongoing', 'task', 'ongoing', 'ongoing']
WHEN 'resp_cadences' THEN
ARRAY[
 'every Saturday', 'weekly', 'every other day', '', '', 'twice a week',
 'daily in dry weeks', 'weekly', '', 'weekly', '', 'every Saturday',
 'weekly', 'weekly', 'monthly', '', '', 'monthly',
 'weekly', 'as needed', 'in cold weeks', 'fortnightly', '', '',
 'weekly', '', '', 'fortnightly', '', 'monthly',
 'monthly', 'monthly', 'monthly', '', '', 'monthly',
 'every Saturday', 'weekly', '', 'monthly', '', 'every Saturday',
 '', 'weekly', 'fortnightly', '', 'monthly', 'monthly']
WHEN 'common_titles' THEN
ARRAY['Welcome newcomers and pair them with a buddy', 'Treasurer: keep the accounts', 'Send the meeting reminders',
      'Look after the group chat', 'Organise the summer get-together', 'Write the quarterly update for the newsletter',
      'Book the meeting room', 'Keep the contact list current']
WHEN 'common_kinds' THEN
ARRAY['ongoing', 'ongoing', 'ongoing', 'ongoing', 'task', 'task', 'ongoing', 'ongoing']
WHEN 'common_cadences' THEN
ARRAY['as people join', 'monthly', 'weekly', 'daily', '', '', 'monthly', 'monthly']
WHEN 'topics' THEN
ARRAY[
 'How the Saturday collection went', 'Fridge hygiene and who checks it', 'Reaching families who do not come', 'The winter meals plan', 'Money for a second van', 'What the market traders asked of us',
 'Planting plan for the season', 'Sharing the watering in the heatwave', 'The compost smell complaint', 'Harvest lunch plans', 'Keys and the shed', 'Inviting the school',
 'Tools not returned', 'The skill-share programme', 'Opening a second evening', 'Insurance for the library', 'Catalogue progress', 'A donation of power tools',
 'Who has not been visited', 'The winter phone tree', 'Gaps in the lifts rota', 'A venue for the afternoon tea', 'Safeguarding refresher', 'A day off for carers',
 'The landlord''s reply about the lifts', 'The damp survey results', 'Speakers for the rights evening', 'New tenants on the third floor', 'Report from the housing forum', 'The rent increase letter',
 'Last café: what we fixed', 'Electrical safety testing', 'Finding a sewing fixer', 'Posters and flyers', 'The landfill tally', 'A café in the library?',
 'Saturday fixtures', 'A coach for the girls'' team', 'The boot swap', 'Booking the pitch for next season', 'The kit washing rota', 'The end-of-season party',
 'The 20 mph petition', 'Walking bus routes', 'Street lights report', 'Play street dates', 'Talking to the school', 'Updating the hazard map']
WHEN 'decisions' THEN
ARRAY[
 'We collect from the market every Saturday at four.', 'The fridge is checked every other day; the rota is on its door.', 'We apply for the hygiene certificate in the group''s name.', 'Winter meals go first to the twelve households on the list.', 'We ask the housing association to lend us a van.', 'Leftovers go to the night shelter, never the bin.',
 'Potatoes and beans go in the east beds.', 'Watering is shared on a rota in dry weeks.', 'The compost bins move away from the fence.', 'Harvest lunch on the last Saturday of September.', 'Two sets of shed keys, held by two people.', 'The school''s class may have one bed.',
 'Loans are for two weeks, renewable once.', 'A second evening opens on Thursdays.', 'Power tools only after a short induction.', 'We take out group insurance.', 'The catalogue goes online once photographed.', 'Skill-share evenings are on the first Wednesday.',
 'New visitors go in pairs the first time.', 'The phone tree starts below two degrees.', 'Lifts are booked through the rota, not directly.', 'Tea moves to the library for the winter.', 'Carers get one free afternoon a month.', 'New visitors shadow an experienced one first.',
 'We write to the landlord as a group, not one by one.', 'The survey covers every flat, empty ones too.', 'The rights evening is open to the whole estate.', 'Landing reps meet every fortnight.', 'We invite the council''s housing officer to our next meeting.', 'Nobody signs the rent letter before we meet.',
 'The café runs on the second Saturday of the month.', 'Electrical items are tested before they leave.', 'We log every item and its weight.', 'Children are welcome with an adult.', 'We ask for donations, never fees.', 'Posters go up two weeks before each café.',
 'Every child plays at least half of every match.', 'Parents take turns washing the kit.', 'The girls'' team starts in the spring.', 'Boots are swapped, never sold.', 'We book the pitch for the whole season now.', 'The party is a picnic in the park.',
 'We hand in the petition at the next council surgery.', 'The walking bus leaves the corner shop at 8.15.', 'Everyone reports broken lights; one person follows up.', 'Play street on the first Sunday of each month.', 'We ask for a crossing patrol.', 'The hazard map is shared with the council.']
WHEN 'actions' THEN
ARRAY[
 'Ask the market manager about Sunday surplus', 'Print the fridge rota', 'Call the families on the waiting list', 'Get quotes for a van', 'Email the night shelter', 'Buy new cool boxes',
 'Buy seed potatoes', 'Fix the water butt', 'Move the compost bins', 'Invite the head teacher', 'Cut a second shed key', 'Draw up a watering rota',
 'Chase the three overdue loans', 'Book a room for the skill-share', 'Ask for insurance quotes', 'Photograph the hand tools', 'Thank the donor of the power tools', 'Print loan cards',
 'Ring the new names on the list', 'Update the phone tree', 'Ask the library about the winter tea', 'Book the safeguarding refresher', 'Fill the gaps in the lifts rota', 'Make a flyer for carers',
 'Draft the letter to the landlord', 'Count the survey forms', 'Invite the housing officer', 'Welcome the new third-floor tenants', 'Book the hall for the rights evening', 'Photograph the damp in flat 12',
 'Book the hall for next month', 'Borrow a safety tester', 'Ask the sewing group for a fixer', 'Put up the posters', 'Weigh and log the last café''s items', 'Buy spare fuses',
 'Book the pitch', 'Collect outgrown boots', 'Ask at the school about a girls'' coach', 'Wash the kit', 'Buy a first aid kit', 'Plan the end-of-season picnic',
 'Collect fifty more signatures', 'Walk the new walking bus route', 'Report the lights on Station Path', 'Write to the head teacher', 'Apply for the play street licence', 'Update the hazard map']
WHEN 'objections' THEN
ARRAY['It says nothing about neighbours who do not speak English; I cannot consent to that yet.',
      'It promises a weekly commitment we have nobody to carry. I object until we can.',
      'It reads as if we need the council''s permission. We do not.',
      'I cannot consent while it leaves out the children.',
      'It is too long to remember; I would object to anything we cannot say in two sentences.',
      'It mentions money we do not have. Without that line I would stand behind it.']
WHEN 'check_in_notes' THEN
ARRAY['Good to see new faces.', 'I left with a clear job and a friend.', 'Tired tonight, but glad I came.',
      'We talked over each other a bit.', 'Felt heard.', 'I would like more time for the topic.',
      'Lovely to laugh together.', 'Not sure yet what I can do.']
WHEN 'progress_notes' THEN
ARRAY['Done this week; it went smoothly.', 'Behind this week, will catch up by Sunday.',
      'Asked two neighbours to help next time.', 'Wrote down how I do it, so the backup can take over.',
      'Needed more hands than expected.', 'Talked to the council; waiting to hear back.',
      'Went well: three new people came.', 'Finished. The notes are in the shared folder.']
WHEN 'handoff_notes' THEN
ARRAY['Handing over while I look after my dad; my notes are in the shared folder.',
      'New job on Saturdays. Thank you for taking it on.', 'I have done it a year: time for fresh eyes.',
      'Moving to nights; happy to answer questions.']
WHEN 'decline_notes' THEN
ARRAY['Not this month: I already carry two things.', 'I would, but I do not drive.',
      'Too much on at work; ask me again in the spring.', 'I would rather back someone up first and learn.']
WHEN 'reach_out_notes' THEN
ARRAY['Called round: busy with a new baby, will be back in the spring.',
      'Had a coffee: the meetings felt too long to them. Passed that on.',
      'Texted: working evenings for now, still wants the news.', 'Met at the shop: had been unwell, better now.']
END
$words$;

-- step: -
CREATE OR REPLACE FUNCTION pg_temp.wi(list text) RETURNS int[] LANGUAGE sql IMMUTABLE AS $words$
SELECT CASE list
WHEN 'resp_efforts' THEN
ARRAY[2, 1, 1, 1, 1, 2,  1, 1, 1, 1, 1, 2,  2, 1, 1, 1, 1, 1,  1, 2, 1, 1, 1, 1,
      1, 1, 2, 1, 1, 2,  1, 1, 1, 1, 1, 1,  2, 1, 1, 1, 1, 1,  1, 1, 1, 1, 2, 1]
WHEN 'common_efforts' THEN
ARRAY[1, 1, 1, 1, 2, 1, 1, 1]
END
$words$;
