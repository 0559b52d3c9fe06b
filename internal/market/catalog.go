package market

// listing is a catalog entry: the instrument and its reference price (USD).
type listing struct {
	Instrument
	reference string
}

func stock(id int64, symbol, name string, fractional, available bool, minimum, reference string) listing {
	return listing{Instrument: Instrument{
		ID: id, Symbol: symbol, Name: name, InvestmentType: InternationalStocks,
		FractionalEnabled: fractional, IsAvailable: available, MinimumAmount: mustDecimal(minimum),
	}, reference: reference}
}

// catalog is the sandbox's instruments: real US stocks and ETFs. Ids are
// stable: an entry is never renumbered, and a new one takes the next id.
// Reference prices are round figures near recent market prices; a few
// instruments trade in whole shares only, and two delisted ones are listed
// as unavailable.
var catalog = []listing{
	stock(1, "AAPL", "Apple Inc.", true, true, "1.00", "230.00"),
	stock(2, "MSFT", "Microsoft Corporation", true, true, "1.00", "420.00"),
	stock(3, "AMZN", "Amazon.com, Inc.", true, true, "1.00", "185.00"),
	stock(4, "GOOGL", "Alphabet Inc. Class A", true, true, "1.00", "165.00"),
	stock(5, "META", "Meta Platforms, Inc. Class A", true, true, "1.00", "520.00"),
	stock(6, "NVDA", "NVIDIA Corporation", true, true, "1.00", "120.00"),
	stock(7, "TSLA", "Tesla, Inc.", true, true, "1.00", "240.00"),
	stock(8, "BRK.B", "Berkshire Hathaway Inc. Class B", true, true, "1.00", "450.00"),
	stock(9, "JPM", "JPMorgan Chase & Co.", true, true, "1.00", "210.00"),
	stock(10, "V", "Visa Inc. Class A", true, true, "1.00", "280.00"),
	stock(11, "MA", "Mastercard Incorporated Class A", true, true, "1.00", "490.00"),
	stock(12, "JNJ", "Johnson & Johnson", true, true, "1.00", "160.00"),
	stock(13, "PG", "The Procter & Gamble Company", true, true, "1.00", "165.00"),
	stock(14, "KO", "The Coca-Cola Company", true, true, "1.00", "68.00"),
	stock(15, "PEP", "PepsiCo, Inc.", true, true, "1.00", "165.00"),
	stock(16, "WMT", "Walmart Inc.", true, true, "1.00", "80.00"),
	stock(17, "DIS", "The Walt Disney Company", true, true, "1.00", "95.00"),
	stock(18, "NFLX", "Netflix, Inc.", true, true, "1.00", "700.00"),
	stock(19, "NKE", "NIKE, Inc. Class B", true, true, "1.00", "80.00"),
	stock(20, "MCD", "McDonald's Corporation", true, true, "1.00", "290.00"),
	stock(21, "XOM", "Exxon Mobil Corporation", true, true, "1.00", "115.00"),
	stock(22, "CVX", "Chevron Corporation", true, true, "1.00", "150.00"),
	stock(23, "PFE", "Pfizer Inc.", true, true, "1.00", "28.00"),
	stock(24, "INTC", "Intel Corporation", false, true, "1.00", "22.00"),
	stock(25, "F", "Ford Motor Company", false, true, "1.00", "10.50"),
	stock(26, "T", "AT&T Inc.", false, true, "1.00", "22.00"),
	stock(27, "GE", "General Electric Company", false, true, "1.00", "175.00"),
	stock(28, "SPY", "SPDR S&P 500 ETF Trust", true, true, "5.00", "570.00"),
	stock(29, "QQQ", "Invesco QQQ Trust, Series 1", true, true, "5.00", "490.00"),
	stock(30, "VOO", "Vanguard S&P 500 ETF", true, true, "5.00", "525.00"),
	stock(31, "VTI", "Vanguard Total Stock Market ETF", true, true, "5.00", "280.00"),
	stock(32, "IWM", "iShares Russell 2000 ETF", true, true, "5.00", "220.00"),
	stock(33, "GLD", "SPDR Gold Shares", true, true, "5.00", "240.00"),
	stock(34, "ARKK", "ARK Innovation ETF", false, true, "5.00", "50.00"),
	stock(35, "TWTR", "Twitter, Inc. (delisted)", true, false, "1.00", "53.70"),
	stock(36, "ATVI", "Activision Blizzard, Inc. (delisted)", true, false, "1.00", "94.40"),
}
